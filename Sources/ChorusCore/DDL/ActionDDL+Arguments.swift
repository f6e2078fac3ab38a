import RubyMarshal

extension ActionDDL {
    /// Turns command-line `key=value` words into request inputs as `mco rpc` does: the key is
    /// everything before the first `=` (made a Symbol), the value everything after it, and
    /// values of declared `boolean`, `integer`, `float` and `number` inputs are converted.
    /// A later duplicate key replaces an earlier one. Values of other types stay Strings
    /// (DDL validation reports them if the type does not fit).
    ///
    /// Differences from MCollective, on purpose: negative numbers are accepted, and a `float`
    /// input given a whole number gets a Float (mco would send an Integer and then reject it).
    public func parseArguments(_ words: [String]) throws(DDLArgumentError) -> RubyHash {
        var arguments = RubyHash()
        for word in words {
            guard let equals = word.firstIndex(of: "="), equals != word.startIndex,
                word.index(after: equals) != word.endIndex
            else {
                throw DDLArgumentError(argument: word, message: "Could not parse --arg \(word)")
            }
            let key = String(word[..<equals])
            let text = String(word[word.index(after: equals)...])
            let value = try convert(text, forInput: key)
            arguments.set(value, forSymbol: key)
        }
        return arguments
    }

    private func convert(_ text: String, forInput key: String) throws(DDLArgumentError) -> RubyValue {
        guard let input = input(named: key) else { return .str(text) }
        switch input.type {
        case .boolean:
            guard let value = Self.boolean(text) else {
                throw DDLArgumentError(argument: text, message: "\(text) does not look like a boolean argument")
            }
            return .bool(value)
        case .integer, .number, .float:
            guard var value = Self.number(text) else {
                throw DDLArgumentError(argument: text, message: "\(text) does not look like a number")
            }
            if input.type == .float, case .int(let whole) = value { value = .float(Double(whole)) }
            return value
        default:
            return .str(text)
        }
    }

    /// MCollective's `DDL.string_to_boolean`.
    static func boolean(_ text: String) -> Bool? {
        switch text.lowercased() {
        case "true", "t", "yes", "y", "1": return true
        case "false", "f", "no", "n", "0": return false
        default: return nil
        }
    }

    /// MCollective's `DDL.string_to_number` (`^\d+$` → Integer, `^\d+\.\d+$` → Float), plus an
    /// optional leading minus sign.
    static func number(_ text: String) -> RubyValue? {
        let unsigned = text.hasPrefix("-") ? text.dropFirst() : text[...]
        let parts = unsigned.split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false)
        let isDigits: (Substring) -> Bool = { !$0.isEmpty && $0.utf8.allSatisfy { (48...57).contains($0) } }
        guard parts.allSatisfy(isDigits) else { return nil }
        if parts.count == 1 {
            if let value = Int(text) { return .int(value) }
            return .bigInt(negative: text.hasPrefix("-"), magnitude: littleEndianMagnitude(ofDecimal: unsigned))
        }
        return Double(text).map(RubyValue.float)
    }

    /// The little-endian bytes of a non-negative decimal number too large for `Int`.
    private static func littleEndianMagnitude(ofDecimal digits: Substring) -> [UInt8] {
        var decimal = digits.utf8.map { Int($0 - 48) }
        var bytes: [UInt8] = []
        while !decimal.isEmpty {
            var remainder = 0
            var quotient: [Int] = []
            quotient.reserveCapacity(decimal.count)
            for digit in decimal {
                let current = remainder * 10 + digit
                let q = current / 256
                remainder = current % 256
                if !quotient.isEmpty || q != 0 { quotient.append(q) }
            }
            bytes.append(UInt8(remainder))
            decimal = quotient
        }
        return bytes
    }
}
