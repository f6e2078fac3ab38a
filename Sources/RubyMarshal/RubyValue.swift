/// A Ruby object as it travels in Marshal 4.8: the subset MCollective puts on the wire.
///
/// Values are plain data: hashes keep their insertion order (Ruby's `Hash` is ordered and
/// MCollective's envelopes depend on key order), strings keep their bytes and encoding.
public enum RubyValue: Sendable, Hashable {
    case `nil`
    case bool(Bool)
    /// A Fixnum, or a Bignum whose value fits in `Int`.
    case int(Int)
    /// A Bignum outside `Int`'s range: sign and little-endian magnitude bytes.
    case bigInt(negative: Bool, magnitude: [UInt8])
    case float(Double)
    case string(RubyString)
    case symbol(String)
    case array([RubyValue])
    case hash(RubyHash)
    /// A `Regexp`: its source and option bits (1 ignorecase, 2 extended, 4 multiline).
    case regexp(pattern: String, options: UInt8)
}

/// The encoding a Ruby String carries (the `E` / `encoding` instance variable).
public enum RubyEncoding: Sendable, Hashable {
    /// ASCII-8BIT: a String with no encoding ivar (how `Marshal.dump` output is stored).
    case binary
    /// `E` = true.
    case utf8
    /// `E` = false.
    case usASCII
    /// Any other encoding, by name (`encoding` ivar).
    case named(String)
}

/// A Ruby String: bytes plus encoding.
public struct RubyString: Sendable, Hashable {
    public var bytes: [UInt8]
    public var encoding: RubyEncoding

    public init(bytes: [UInt8], encoding: RubyEncoding) {
        self.bytes = bytes
        self.encoding = encoding
    }

    public init(_ text: String, encoding: RubyEncoding = .utf8) {
        self.bytes = Array(text.utf8)
        self.encoding = encoding
    }

    /// The bytes decoded as UTF-8 (invalid sequences repaired).
    public var text: String { String(decoding: bytes, as: UTF8.self) }
}

/// An insertion-ordered Ruby Hash. Keys may be any value; lookups by name try the
/// Symbol key first, then the String key, as MCollective's own code does.
public struct RubyHash: Sendable, Hashable {
    public struct Pair: Sendable, Hashable {
        public var key: RubyValue
        public var value: RubyValue
        public init(key: RubyValue, value: RubyValue) {
            self.key = key
            self.value = value
        }
    }

    public var pairs: [Pair]

    public init(pairs: [Pair] = []) { self.pairs = pairs }

    /// A hash with Symbol keys, in the given order.
    public init(symbolKeys: KeyValuePairs<String, RubyValue>) {
        self.pairs = symbolKeys.map { Pair(key: .symbol($0.key), value: $0.value) }
    }

    /// A hash with String keys, in the given order.
    public init(stringKeys: KeyValuePairs<String, RubyValue>) {
        self.pairs = stringKeys.map { Pair(key: .str($0.key), value: $0.value) }
    }

    public var count: Int { pairs.count }
    public var isEmpty: Bool { pairs.isEmpty }
    public var keys: [RubyValue] { pairs.map(\.key) }

    /// Exact-key lookup.
    public subscript(key: RubyValue) -> RubyValue? {
        for pair in pairs where pair.key == key { return pair.value }
        return nil
    }

    /// Lookup by name: Symbol key first, then String key (any encoding).
    public subscript(_ name: String) -> RubyValue? {
        var stringMatch: RubyValue?
        for pair in pairs {
            switch pair.key {
            case .symbol(let s) where s == name: return pair.value
            case .string(let s) where stringMatch == nil && s.bytes.elementsEqual(name.utf8): stringMatch = pair.value
            default: continue
            }
        }
        return stringMatch
    }

    /// Sets the value for `key`, replacing an existing pair in place or appending a new one.
    public mutating func set(_ value: RubyValue, for key: RubyValue) {
        if let index = pairs.firstIndex(where: { $0.key == key }) {
            pairs[index].value = value
        } else {
            pairs.append(Pair(key: key, value: value))
        }
    }

    /// Sets a Symbol-keyed value.
    public mutating func set(_ value: RubyValue, forSymbol name: String) {
        set(value, for: .symbol(name))
    }

    /// Removes the pair with exactly this key, returning its value.
    @discardableResult
    public mutating func remove(_ key: RubyValue) -> RubyValue? {
        guard let index = pairs.firstIndex(where: { $0.key == key }) else { return nil }
        return pairs.remove(at: index).value
    }
}

// MARK: - Convenience constructors and accessors

extension RubyValue {
    /// A UTF-8 String (`I"…` with `E` = true), how Ruby source literals are marshalled.
    public static func str(_ text: String) -> RubyValue { .string(RubyString(text, encoding: .utf8)) }
    /// A US-ASCII String (`E` = false), e.g. `Digest::MD5.hexdigest` results.
    public static func ascii(_ text: String) -> RubyValue { .string(RubyString(text, encoding: .usASCII)) }
    /// A binary (ASCII-8BIT) String with no encoding ivar, e.g. `Marshal.dump` output.
    public static func binary(_ bytes: [UInt8]) -> RubyValue { .string(RubyString(bytes: bytes, encoding: .binary)) }

    /// The text of a String or the name of a Symbol.
    public var stringValue: String? {
        switch self {
        case .string(let s): return s.text
        case .symbol(let s): return s
        default: return nil
        }
    }

    /// The bytes of a String.
    public var bytesValue: [UInt8]? {
        if case .string(let s) = self { return s.bytes }
        return nil
    }

    public var intValue: Int? {
        if case .int(let i) = self { return i }
        return nil
    }

    public var doubleValue: Double? {
        switch self {
        case .float(let d): return d
        case .int(let i): return Double(i)
        default: return nil
        }
    }

    public var boolValue: Bool? {
        if case .bool(let b) = self { return b }
        return nil
    }

    public var arrayValue: [RubyValue]? {
        if case .array(let a) = self { return a }
        return nil
    }

    public var asHash: RubyHash? {
        if case .hash(let h) = self { return h }
        return nil
    }

    public var isNil: Bool {
        if case .nil = self { return true }
        return false
    }

    /// Ruby truthiness: everything but `nil` and `false` is true.
    public var isTruthy: Bool {
        switch self {
        case .nil, .bool(false): return false
        default: return true
        }
    }

    /// Hash lookup by name (Symbol first, then String); nil when not a hash or absent.
    public subscript(_ name: String) -> RubyValue? {
        if case .hash(let h) = self { return h[name] }
        return nil
    }
}

extension RubyValue: ExpressibleByStringLiteral, ExpressibleByIntegerLiteral, ExpressibleByBooleanLiteral,
    ExpressibleByFloatLiteral, ExpressibleByArrayLiteral
{
    public init(stringLiteral value: String) { self = .str(value) }
    public init(integerLiteral value: Int) { self = .int(value) }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    public init(floatLiteral value: Double) { self = .float(value) }
    public init(arrayLiteral elements: RubyValue...) { self = .array(elements) }
}
