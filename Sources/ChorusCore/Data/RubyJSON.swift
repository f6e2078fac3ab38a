import RubyMarshal

/// Ruby's `to_json` for the values facts hold: compact, keys as strings, non-ASCII kept as is,
/// `"`, `\` and control characters escaped.
enum RubyJSON {
    static func generate(_ value: RubyValue) -> String {
        var out = ""
        write(value, into: &out)
        return out
    }

    private static func write(_ value: RubyValue, into out: inout String) {
        switch value {
        case .nil: out += "null"
        case .bool(let b): out += b ? "true" : "false"
        case .int(let i): out += String(i)
        case .float(let d): out += String(d)
        case .string(let s): quote(s.text, into: &out)
        case .symbol(let s): quote(s, into: &out)
        case .regexp(let pattern, _): quote("(?-mix:\(pattern))", into: &out)
        case .bigInt: out += "null"
        case .array(let elements):
            out += "["
            for (i, element) in elements.enumerated() {
                if i > 0 { out += "," }
                write(element, into: &out)
            }
            out += "]"
        case .hash(let hash):
            out += "{"
            for (i, pair) in hash.pairs.enumerated() {
                if i > 0 { out += "," }
                switch pair.key {
                case .string(let s): quote(s.text, into: &out)
                case .symbol(let s): quote(s, into: &out)
                default: quote(generate(pair.key), into: &out)
                }
                out += ":"
                write(pair.value, into: &out)
            }
            out += "}"
        }
    }

    private static func quote(_ text: String, into out: inout String) {
        out += "\""
        for c in text.unicodeScalars {
            switch c {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case "\u{08}": out += "\\b"
            case "\u{0C}": out += "\\f"
            case let c where c.value < 0x20:
                let hex = String(c.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: out.unicodeScalars.append(c)
            }
        }
        out += "\""
    }
}
