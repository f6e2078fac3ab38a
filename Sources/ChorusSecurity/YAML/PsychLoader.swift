import RubyMarshal
import Yams

/// Turns the node tree Yams composes into the Ruby value Psych's `ToRuby` visitor would
/// build under `safe_load(permitted_classes: [Symbol, Regexp])`.
///
/// libyaml (bundled with Yams) refuses nesting beyond 1000 levels while parsing, which
/// bounds Yams' recursion; the conversion here stops at `limits.maxDepth`.
struct PsychLoader {
    /// Marks scalars Yams resolved without an explicit tag (Yams resolves mapping keys while
    /// checking them for duplicates), so plain `:name` keys stay distinguishable from `!!str`.
    static let implicitTag = Tag.Name(rawValue: "tag:chorus,2025:implicit")
    private static let resolver: Resolver = (try? Resolver.basic.appending(implicitTag, "^")) ?? .basic

    private static let stringTag = "tag:yaml.org,2002:str"

    let limits: MarshalLimits
    private var nodes = 0
    /// Anchors met so far: meeting one again means an alias (Yams resolves aliases to the
    /// anchored node itself), which `safe_load` refuses.
    private var anchors = Set<ObjectIdentifier>()

    private init(limits: MarshalLimits) { self.limits = limits }

    static func load(_ text: String, limits: MarshalLimits) throws(RubyYAMLError) -> RubyValue {
        let parser: Parser
        let root: Node?
        do {
            parser = try Parser(yaml: text, resolver: resolver)
            root = try parser.nextRoot()
        } catch let error as YamlError {
            throw .syntax(Self.summary(error))
        } catch {
            throw .syntax("\(type(of: error))")
        }
        guard let root else { throw .syntax("the stream holds no document") }
        var loader = PsychLoader(limits: limits)
        // Anchors are held weakly by the nodes; the parser keeps them alive for the check.
        return try withExtendedLifetime(parser) { () throws(RubyYAMLError) -> RubyValue in
            try loader.value(root, depth: 0)
        }
    }

    /// The problem and position, without the document text Yams' own description includes.
    private static func summary(_ error: YamlError) -> String {
        switch error {
        case .reader(let problem, let offset, _, _):
            return "\(problem)" + (offset.map { " at byte \($0)" } ?? "")
        case .scanner(_, let problem, let mark, _), .parser(_, let problem, let mark, _),
            .composer(_, let problem, let mark, _):
            return "\(problem) at line \(mark.line), column \(mark.column)"
        case .duplicatedKeysInMapping(let duplicates, _):
            return "duplicate mapping keys \(duplicates.prefix(3).joined(separator: ", "))"
        default:
            return "the document could not be parsed"
        }
    }

    private mutating func value(_ node: Node, depth: Int) throws(RubyYAMLError) -> RubyValue {
        guard depth <= limits.maxDepth else { throw .tooDeep }
        nodes += 1
        guard nodes <= limits.maxNodes else { throw .tooLarge }
        switch node {
        case .scalar(let scalar):
            try checkAlias(scalar.anchor)
            return try self.scalar(scalar)
        case .sequence(let sequence):
            try checkAlias(sequence.anchor)
            try Self.checkCollectionTag(sequence.tag.rawValue, "tag:yaml.org,2002:seq")
            guard sequence.count <= limits.maxCollectionCount else { throw .tooLarge }
            var items: [RubyValue] = []
            items.reserveCapacity(sequence.count)
            for item in sequence { items.append(try value(item, depth: depth + 1)) }
            return .array(items)
        case .mapping(let mapping):
            try checkAlias(mapping.anchor)
            try Self.checkCollectionTag(mapping.tag.rawValue, "tag:yaml.org,2002:map")
            guard mapping.count <= limits.maxCollectionCount else { throw .tooLarge }
            var hash = RubyHash()
            for (keyNode, valueNode) in mapping {
                let key = try value(keyNode, depth: depth + 1)
                let item = try value(valueNode, depth: depth + 1)
                if key == .str("<<"), let scalar = keyNode.scalar, scalar.style == .plain, Self.isImplicit(scalar.tag.rawValue) {
                    Self.merge(item, into: &hash)
                } else {
                    hash.set(item, for: key)
                }
            }
            return .hash(hash)
        case .alias:
            throw .unsupported("aliases")
        }
    }

    private mutating func checkAlias(_ anchor: Anchor?) throws(RubyYAMLError) {
        guard let anchor else { return }
        guard anchors.insert(ObjectIdentifier(anchor)).inserted else { throw .unsupported("aliases") }
    }

    /// `<<: {…}` / `<<: [{…}, {…}]` merge keys, as Psych's `revive_hash` applies them.
    private static func merge(_ value: RubyValue, into hash: inout RubyHash) {
        switch value {
        case .hash(let source):
            for pair in source.pairs { hash.set(pair.value, for: pair.key) }
        case .array(let items) where items.allSatisfy({ $0.asHash != nil }):
            var combined = RubyHash()
            for item in items.reversed() {
                for pair in item.asHash?.pairs ?? [] { combined.set(pair.value, for: pair.key) }
            }
            for pair in combined.pairs { hash.set(pair.value, for: pair.key) }
        default:
            hash.set(value, for: .str("<<"))
        }
    }

    private static func checkCollectionTag(_ tag: String, _ core: String) throws(RubyYAMLError) {
        guard tag.isEmpty || tag == "!" || tag == core else { throw .unsupported("tag \(tag.prefix(64))") }
    }

    private static func isImplicit(_ tag: String) -> Bool {
        tag.isEmpty || tag == implicitTag.rawValue
    }

    private func scalar(_ scalar: Node.Scalar) throws(RubyYAMLError) -> RubyValue {
        let tag = scalar.tag.rawValue
        let text = scalar.string
        if Self.isImplicit(tag) {
            return scalar.style == .plain ? try Self.tokenized(text) : .str(text)
        }
        switch tag {
        case Self.stringTag, "!str", "!ruby/string":
            return .str(text)
        case "!binary", "tag:yaml.org,2002:binary":
            return .binary(RubyBase64.decodeLenient(text.utf8))
        case "tag:yaml.org,2002:float", "!float":
            return .float(try Self.float(text))
        case "!ruby/regexp":
            return try Self.regexp(text)
        case "!ruby/object:BigDecimal", "!ruby/object:DateTime", "!ruby/encoding", "!ruby/object:Complex",
            "!ruby/object:Rational", "!ruby/class", "!ruby/module", "!ruby/range":
            throw .unsupported("tag \(tag)")
        default:
            if tag.hasPrefix("!ruby/sym") { return .symbol(text) }
            if tag.hasPrefix("!ruby/string:") || tag.hasPrefix("!str:") || tag.hasPrefix("!ruby/object") {
                throw .unsupported("tag \(tag.prefix(64))")
            }
            return try Self.tokenized(text)
        }
    }

    private static func tokenized(_ text: String) throws(RubyYAMLError) -> RubyValue {
        switch PsychScalarScanner.tokenize(text) {
        case .null: return .nil
        case .bool(let flag): return .bool(flag)
        case .integer(let value): return value
        case .float(let number): return .float(number)
        case .symbol(let name): return .symbol(name)
        case .string: return .str(text)
        case .timestamp: throw .unsupported("Time and Date values (\(text.prefix(40)))")
        case .invalid: throw .syntax("'\(text.prefix(40))' is not a valid number")
        }
    }

    /// `Float(tokenize(text))` for `!!float`.
    private static func float(_ text: String) throws(RubyYAMLError) -> Double {
        switch PsychScalarScanner.tokenize(text) {
        case .float(let number): return number
        case .integer(.int(let number)): return Double(number)
        case .string:
            if let number = Double(text.trimmingSpaces()) { return number }
        default:
            break
        }
        throw .syntax("'\(text.prefix(40))' is not a Float")
    }

    /// `!ruby/regexp /source/flags`.
    private static func regexp(_ text: String) throws(RubyYAMLError) -> RubyValue {
        let scalars = Array(text.unicodeScalars)
        guard scalars.first == "/" else { throw .syntax("bad !ruby/regexp '\(text.prefix(40))'") }
        var end = scalars.count - 1
        while end > 0 && "mixn".unicodeScalars.contains(scalars[end]) && scalars[end] != "/" { end -= 1 }
        guard end > 0, scalars[end] == "/" else { throw .syntax("bad !ruby/regexp '\(text.prefix(40))'") }
        var options: UInt8 = 0
        for flag in scalars[(end + 1)...] {
            switch flag {
            case "x": options |= 2
            case "i": options |= 1
            case "m": options |= 4
            default: options |= 32
            }
        }
        return .regexp(pattern: String(String.UnicodeScalarView(scalars[1..<end])), options: options)
    }
}

extension String {
    fileprivate func trimmingSpaces() -> String {
        var scalars = Substring(self)
        while scalars.first == " " { scalars.removeFirst() }
        while scalars.last == " " { scalars.removeLast() }
        return String(scalars)
    }
}
