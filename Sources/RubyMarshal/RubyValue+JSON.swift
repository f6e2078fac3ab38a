/// JSON as Ruby's `json` library (2.6, shipped with Ruby 3.1) writes and reads it; `mco --json`
/// output is `JSON.generate` of the replies.
extension RubyValue {
    /// `JSON.generate(value)` (or `JSON.pretty_generate` when `pretty`).
    ///
    /// Symbols and Strings become JSON strings, hash keys are stringified with `to_s`, `nil`
    /// is `null`, Floats use `Float#to_s` (`NaN`/`Infinity` as with `allow_nan: true`),
    /// big integers are written in full, Regexps as their `to_s` (`"(?-mix:^w)"`). Bytes of a
    /// String that are not valid UTF-8 are written as `\u00XX`, one per byte.
    public func jsonString(pretty: Bool = false) -> String {
        var generator = RubyJSONGenerator(pretty: pretty)
        generator.write(self, depth: 0)
        return generator.output
    }

    /// Parses JSON as Ruby's `JSON.parse` does: objects become Hashes with UTF-8 String keys,
    /// strings UTF-8 Strings, integers `.int` (or `.bigInt`), numbers with a fraction or an
    /// exponent `.float`. Nesting deeper than `maxNesting` (Ruby's default, 100) is an error.
    public init(json: String, maxNesting: Int = 100) throws(JSONParseError) {
        var reader = JSONReader(bytes: Array(json.utf8), maxNesting: maxNesting)
        self = try reader.readDocument()
    }

    /// Parses JSON from UTF-8 bytes; see `init(json:maxNesting:)`.
    public init(jsonBytes: [UInt8], maxNesting: Int = 100) throws(JSONParseError) {
        var reader = JSONReader(bytes: jsonBytes, maxNesting: maxNesting)
        self = try reader.readDocument()
    }
}

/// Writes JSON text in the layout of Ruby's `json` 2.6 generator. In pretty mode that
/// includes its quirks for empty containers: `[]` prints as "[\n\n]" and `{}` as "{\n}",
/// each closing bracket indented to its level.
struct RubyJSONGenerator {
    private let pretty: Bool
    private(set) var output = ""

    init(pretty: Bool) {
        self.pretty = pretty
    }

    mutating func write(_ value: RubyValue, depth: Int) {
        switch value {
        case .nil:
            output += "null"
        case .bool(let flag):
            output += flag ? "true" : "false"
        case .int(let number):
            output += String(number)
        case .bigInt(let negative, let magnitude):
            output += RubyInteger.decimal(negative: negative, magnitude: magnitude)
        case .float(let number):
            output += FloatText.ruby(number)
        case .string(let string):
            writeString(string.bytes)
        case .symbol(let name):
            writeString(Array(name.utf8))
        case .regexp(let pattern, let options):
            writeString(Array(RubyInspector.regexpToS(pattern: pattern, options: options).utf8))
        case .array(let elements):
            writeArray(elements, depth: depth + 1)
        case .hash(let hash):
            writeObject(hash, depth: depth + 1)
        }
    }

    private mutating func writeArray(_ elements: [RubyValue], depth: Int) {
        output += "["
        if pretty { output += "\n" }
        for (index, element) in elements.enumerated() {
            if index > 0 { output += pretty ? ",\n" : "," }
            indent(depth)
            write(element, depth: depth)
        }
        if pretty {
            output += "\n"
            indent(depth - 1)
        }
        output += "]"
    }

    private mutating func writeObject(_ hash: RubyHash, depth: Int) {
        output += "{"
        for (index, pair) in hash.pairs.enumerated() {
            if index > 0 { output += "," }
            if pretty { output += "\n" }
            indent(depth)
            writeString(Self.keyBytes(pair.key))
            output += pretty ? ": " : ":"
            write(pair.value, depth: depth)
        }
        if pretty {
            output += "\n"
            indent(depth - 1)
        }
        output += "}"
    }

    private mutating func indent(_ depth: Int) {
        guard pretty, depth > 0 else { return }
        output += String(repeating: "  ", count: depth)
    }

    /// `key.to_s` as the generator uses for object keys.
    private static func keyBytes(_ key: RubyValue) -> [UInt8] {
        switch key {
        case .string(let string): return string.bytes
        case .symbol(let name): return Array(name.utf8)
        case .nil: return []
        case .regexp(let pattern, let options):
            return Array(RubyInspector.regexpToS(pattern: pattern, options: options).utf8)
        case .bool, .int, .bigInt, .float, .array, .hash: return Array(key.inspect.utf8)
        }
    }

    /// A JSON string: `"` and `\` escaped, control characters as `\b \f \n \r \t` or
    /// `\u00xx`, everything else as UTF-8, bytes that are not valid UTF-8 as `\u00xx`.
    private mutating func writeString(_ bytes: [UInt8]) {
        output += "\""
        var index = 0
        var runStart = 0
        func flushRun(to end: Int, output: inout String) {
            if end > runStart { output += String(decoding: bytes[runStart..<end], as: UTF8.self) }
        }
        while index < bytes.count {
            let byte = bytes[index]
            if byte >= 0x80 {
                let length = Self.validSequenceLength(bytes, at: index)
                if length > 0 {
                    index += length
                    continue
                }
                flushRun(to: index, output: &output)
                output += Self.unicodeEscape(byte)
                index += 1
                runStart = index
                continue
            }
            let escape: String?
            switch byte {
            case 0x22: escape = "\\\""
            case 0x5C: escape = "\\\\"
            case 0x0A: escape = "\\n"
            case 0x0D: escape = "\\r"
            case 0x09: escape = "\\t"
            case 0x0C: escape = "\\f"
            case 0x08: escape = "\\b"
            case 0x00..<0x20: escape = Self.unicodeEscape(byte)
            default: escape = nil
            }
            if let escape {
                flushRun(to: index, output: &output)
                output += escape
                runStart = index + 1
            }
            index += 1
        }
        flushRun(to: index, output: &output)
        output += "\""
    }

    private static let hexDigits: [Character] = Array("0123456789abcdef")

    private static func unicodeEscape(_ byte: UInt8) -> String {
        "\\u00" + String(hexDigits[Int(byte >> 4)]) + String(hexDigits[Int(byte & 0xF)])
    }

    /// The length of the well-formed UTF-8 sequence starting at `index`, or 0.
    private static func validSequenceLength(_ bytes: [UInt8], at index: Int) -> Int {
        let lead = bytes[index]
        let length: Int
        var lowerSecond: UInt8 = 0x80
        var upperSecond: UInt8 = 0xBF
        switch lead {
        case 0xC2...0xDF: length = 2
        case 0xE0: length = 3; lowerSecond = 0xA0
        case 0xE1...0xEC, 0xEE...0xEF: length = 3
        case 0xED: length = 3; upperSecond = 0x9F
        case 0xF0: length = 4; lowerSecond = 0x90
        case 0xF1...0xF3: length = 4
        case 0xF4: length = 4; upperSecond = 0x8F
        default: return 0
        }
        guard bytes.count - index >= length else { return 0 }
        let second = bytes[index + 1]
        guard second >= lowerSecond && second <= upperSecond else { return 0 }
        for offset in 2..<length where bytes[index + offset] & 0xC0 != 0x80 { return 0 }
        return length
    }
}
