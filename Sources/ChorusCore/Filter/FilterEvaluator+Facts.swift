import RubyMarshal

extension FilterEvaluator {
    /// util.rb `has_fact?`: a missing fact fails; Arrays pass on any element, Hashes on any key.
    mutating func hasFact(_ name: String, value: String, operator op: FactOperator) throws -> Bool {
        guard let fact = node.facts[name], !fact.isNil else { return false }
        switch fact {
        case .array(let elements):
            for element in elements where try test(element, value, op) { return true }
            return false
        case .hash(let hash):
            for key in hash.keys where try test(key, value, op) { return true }
            return false
        default:
            return try test(fact, value, op)
        }
    }

    /// util.rb `test_fact_value`.
    private mutating func test(_ fact: RubyValue, _ value: String, _ op: FactOperator) throws -> Bool {
        let text = try Self.factText(fact)
        switch op {
        case .matches:
            var source = value
            let scalars = Array(value.unicodeScalars)
            if scalars.count >= 3, scalars.first == "/", scalars.last == "/" {
                source = FilterScalars.string(scalars[1..<(scalars.count - 1)])
            }
            return try regexes.matches(source, in: text)
        case .equal:
            return text.utf8.elementsEqual(value.utf8)
        case .notEqual, .less, .greater, .lessOrEqual, .greaterOrEqual:
            let order = try FactComparison.compare(text, value)
            switch op {
            case .notEqual: return order != 0
            case .less: return order < 0
            case .greater: return order > 0
            case .lessOrEqual: return order <= 0
            default: return order >= 0
            }
        }
    }

    /// A normalised fact value as Ruby's `to_s` would give it.
    private static func factText(_ value: RubyValue) throws -> String {
        switch value {
        case .string(let s): return s.text
        case .symbol(let s): return s
        case .int(let i): return String(i)
        case .float(let d): return String(d)
        case .bool(let b): return b ? "true" : "false"
        default: throw FilterEvaluationFailure(reason: "fact value is not a scalar")
        }
    }
}

/// The three-way comparison util.rb applies for `<`, `>`, `<=`, `>=`, `!=`.
enum FactComparison {
    /// Negative, zero or positive as `fact` is below, equal to or above `value`: as integers when
    /// both are `^[0-9]+$`, as floats when both are `^[0-9]+.[0-9]+$`, otherwise as byte strings.
    static func compare(_ fact: String, _ value: String) throws -> Int {
        let f = Array(fact.unicodeScalars)
        let v = Array(value.unicodeScalars)
        if isInteger(f), isInteger(v) { return compareDecimal(f, v) }
        if isFloatLike(f), isFloatLike(v) {
            let a = try rubyFloat(f)
            let b = try rubyFloat(v)
            return a < b ? -1 : (a > b ? 1 : 0)
        }
        return compareBytes(fact, value)
    }

    static func compareBytes(_ a: String, _ b: String) -> Int {
        if a.utf8.elementsEqual(b.utf8) { return 0 }
        return a.utf8.lexicographicallyPrecedes(b.utf8) ? -1 : 1
    }

    static func isDigit(_ c: Unicode.Scalar) -> Bool { c >= "0" && c <= "9" }

    static func isInteger(_ s: [Unicode.Scalar]) -> Bool { !s.isEmpty && s.allSatisfy(isDigit) }

    /// `^[0-9]+.[0-9]+$`: digits, any one character but a newline, digits.
    static func isFloatLike(_ s: [Unicode.Scalar]) -> Bool {
        guard s.count >= 3 else { return false }
        let leading = s.prefix(while: isDigit).count
        let trailing = s.reversed().prefix(while: isDigit).count
        let lowest = max(1, s.count - 1 - trailing)
        let highest = min(leading, s.count - 2)
        guard lowest <= highest else { return false }
        return (lowest...highest).contains { s[$0] != "\n" }
    }

    /// Ruby's `Float(text)` for a float-like string; throws where Ruby raises.
    static func rubyFloat(_ s: [Unicode.Scalar]) throws -> Double {
        var digits = String.UnicodeScalarView()
        for c in s {
            if isDigit(c) || c == "." || c == "e" || c == "E" {
                digits.append(c)
            } else if c != "_" {
                throw FilterEvaluationFailure(reason: "not a number")
            }
        }
        guard s.first != "_", s.last != "_", let number = Double(String(digits)) else {
            throw FilterEvaluationFailure(reason: "not a number")
        }
        return number
    }

    /// Compares two digit strings as unbounded integers.
    static func compareDecimal(_ a: [Unicode.Scalar], _ b: [Unicode.Scalar]) -> Int {
        let x = a.drop { $0 == "0" }
        let y = b.drop { $0 == "0" }
        if x.count != y.count { return x.count < y.count ? -1 : 1 }
        for (p, q) in zip(x, y) where p != q { return p < q ? -1 : 1 }
        return 0
    }
}
