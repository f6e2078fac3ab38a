import RubyMarshal

/// Turns literal expressions into values. The only names it knows are the variables of
/// enclosing each-loops, and the only methods it applies to them are `to_s`, `to_sym`,
/// `capitalize`, `upcase` and `downcase`; every other name, method or call is an error.
struct RubyDDLEvaluator {
    /// Each-loop variables in scope.
    var variables: [String: RubyValue] = [:]

    /// Ruby's Regexp option bits, as `RubyValue.regexp` stores them.
    static let regexOptions: [(flag: Character, bit: UInt8)] = [("i", 1), ("x", 2), ("m", 4)]

    /// A copy with `name` bound to `value`.
    func binding(_ name: String, to value: RubyValue) -> RubyDDLEvaluator {
        var copy = self
        copy.variables[name] = value
        return copy
    }

    func value(_ node: RubyDDLNode) throws(RubyDDLError) -> RubyValue {
        switch node.expression {
        case .string(let parts): return .str(try text(parts))
        case .symbol(let name): return .symbol(name)
        case .integer(let number): return .int(number)
        case .float(let number): return .float(number)
        case .boolean(let flag): return .bool(flag)
        case .nil: return .nil
        case .array(let elements):
            var values: [RubyValue] = []
            for element in elements { values.append(try value(element)) }
            return .array(values)
        case .hash(let pairs):
            var hash = RubyHash()
            for pair in pairs {
                let key = try value(pair.key)
                if hash.pairs.contains(where: { $0.key == key }) {
                    throw RubyDDLError(pair.key.position, "the key \(key.inspect) is given twice")
                }
                hash.pairs.append(RubyHash.Pair(key: key, value: try value(pair.value)))
            }
            return .hash(hash)
        case .regex(let source, let flags):
            var options: UInt8 = 0
            for (flag, bit) in Self.regexOptions where flags.contains(flag) { options |= bit }
            return .regexp(pattern: source, options: options)
        case .call(let name, _):
            throw RubyDDLError(node.position, "\(name)(…) is a method call; calls are only allowed as aggregate functions inside summarize blocks")
        case .reference(let name, let methods):
            return try reference(name, methods: methods, at: node.position)
        }
    }

    /// A string literal's text with `#{variable}` parts filled in (their `to_s`).
    func text(_ parts: [RubyDDLStringPart]) throws(RubyDDLError) -> String {
        var text = ""
        for part in parts {
            switch part {
            case .text(let piece):
                text += piece
            case .interpolation(let name, let methods, let position):
                let value = try reference(name, methods: methods, at: position)
                guard let piece = Self.stringForm(value) else {
                    throw RubyDDLError(position, "#{\(name)} must be a string, symbol or number to be interpolated")
                }
                text += piece
            }
        }
        return text
    }

    private func reference(_ name: String, methods: [String], at position: RubyDDLPosition) throws(RubyDDLError) -> RubyValue {
        guard var value = variables[name] else {
            throw RubyDDLError(
                position,
                "unknown name '\(name)': method calls and variables are Ruby code, not part of the declarative DDL subset (only each-loop variables can be used)")
        }
        for method in methods { value = try Self.apply(method, to: value, at: position) }
        return value
    }

    private static func stringForm(_ value: RubyValue) -> String? {
        switch value {
        case .string(let string): return string.text
        case .symbol(let name): return name
        case .int(let number): return String(number)
        default: return nil
        }
    }

    /// The few String and Symbol methods DDL loops use to derive names and descriptions.
    static func apply(_ method: String, to value: RubyValue, at position: RubyDDLPosition) throws(RubyDDLError) -> RubyValue {
        switch method {
        case "to_s":
            if let text = stringForm(value) { return .str(text) }
        case "to_sym":
            if case .string(let string) = value { return .symbol(string.text) }
            if case .symbol = value { return value }
        case "capitalize", "upcase", "downcase":
            let change: (String) -> String
            switch method {
            case "capitalize": change = { $0.prefix(1).uppercased() + $0.dropFirst().lowercased() }
            case "upcase": change = { $0.uppercased() }
            default: change = { $0.lowercased() }
            }
            if case .string(let string) = value { return .str(change(string.text)) }
            if case .symbol(let name) = value { return .symbol(change(name)) }
        default:
            throw RubyDDLError(position, "the method .\(method) is not part of the DDL subset (to_s, to_sym, capitalize, upcase and downcase are)")
        }
        throw RubyDDLError(position, ".\(method) cannot be applied to \(value.inspect)")
    }
}
