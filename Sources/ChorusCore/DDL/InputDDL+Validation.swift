import RubyMarshal

extension InputDDL {
    /// Checks one value against this input's type, length, list and validation, as
    /// MCollective's `validate_input_argument` does; returns its failure message (without the
    /// "Cannot validate input" prefix) or nil when the value is acceptable.
    ///
    /// Type messages follow MCollective's typecheck validator: "value should be a <type>".
    public func failure(for value: RubyValue) -> String? {
        switch type {
        case .string:
            guard case .string(let string) = value else { return "value should be a string" }
            if maxLength > 0 && Self.characterCount(string) > maxLength {
                return "Input string is longer than \(maxLength) character(s)"
            }
            return validation?.failure(for: string.text)
        case .list(let allowed):
            if allowed.contains(value) { return nil }
            // A String and a Symbol of the same text are different values in Ruby too,
            // but a list written in JSON holds Strings and a CLI argument is a String.
            return "value should be one of \(allowed.map(\.listText).joined(separator: ", "))"
        case .integer:
            return value.isRubyInteger ? nil : "value should be a integer"
        case .float:
            if case .float = value { return nil }
            return "value should be a float"
        case .number:
            if case .float = value { return nil }
            return value.isRubyInteger ? nil : "value should be a number"
        case .boolean:
            if case .bool = value { return nil }
            return "value should be a boolean"
        case .hash:
            if case .hash = value { return nil }
            return "value should be a hash"
        case .array:
            if case .array = value { return nil }
            return "value should be a array"
        case .any:
            return nil
        }
    }

    /// Ruby's `String#size`: characters for text, bytes for binary strings.
    private static func characterCount(_ string: RubyString) -> Int {
        switch string.encoding {
        case .binary: return string.bytes.count
        default: return string.text.unicodeScalars.count
        }
    }
}

extension RubyValue {
    fileprivate var isRubyInteger: Bool {
        switch self {
        case .int, .bigInt: return true
        default: return false
        }
    }

    /// How a list entry reads in "should be one of" (its `to_s`); lists hold strings,
    /// integers and booleans only (enforced when the DDL is loaded).
    var listText: String {
        switch self {
        case .string(let s): return s.text
        case .symbol(let s): return s
        case .int(let i): return String(i)
        case .bool(let b): return b ? "true" : "false"
        case .nil: return ""
        default: return "\(self)"
        }
    }
}
