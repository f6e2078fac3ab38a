import RubyMarshal

extension FilterEvaluator {
    /// One compound expression. Every statement is evaluated first (as MCollective does before
    /// it `eval`s the joined truth values), then the booleans are combined.
    mutating func evaluate(expression: [CompoundToken]) throws -> Bool {
        var items: [BooleanExpression.Item] = []
        items.reserveCapacity(expression.count)
        for token in expression {
            switch token {
            case .statement(let text): items.append(.value(try statement(text)))
            case .function(let function): items.append(.value(try self.function(function)))
            case .and: items.append(.and)
            case .or: items.append(.or)
            case .not: items.append(.not)
            case .open: items.append(.open)
            case .close: items.append(.close)
            }
        }
        return try BooleanExpression.evaluate(items)
    }

    /// matcher.rb `eval_compound_statement`: `/re/` is a class regex; text holding `>=`, `<=`, `=`,
    /// `<` or `>` is a fact comparison (`=` means `==`, a value starting with `/` means `=~`);
    /// anything else is a class name.
    mutating func statement(_ text: String) throws -> Bool {
        if text.hasPrefix("/") { return try hasClass(text) }
        guard let op = Self.firstComparison(in: text) else { return try hasClass(text) }
        let parts = Self.rubySplit(text, separator: op)
        guard parts.count >= 2 else {
            throw FilterEvaluationFailure(reason: "statement \(text) has no value")
        }
        let name = parts[0]
        let value = parts[1]
        let factOperator: FactOperator
        if value.hasPrefix("/") {
            factOperator = .matches
        } else {
            factOperator = op == "=" ? .equal : (FactOperator(rawValue: op) ?? .equal)
        }
        return try hasFact(name, value: value, operator: factOperator)
    }

    /// The leftmost of `>=`, `<=`, `=`, `<`, `>`, trying them in that order at each position.
    static func firstComparison(in text: String) -> String? {
        let s = Array(text.unicodeScalars)
        for i in s.indices where FilterScalars.isComparison(s[i]) {
            if i + 1 < s.count, s[i + 1] == "=", s[i] != "=" { return s[i] == ">" ? ">=" : "<=" }
            return String(Character(s[i]))
        }
        return nil
    }

    /// Ruby's `String#split(separator)`: every occurrence splits, trailing empty fields are dropped.
    static func rubySplit(_ text: String, separator: String) -> [String] {
        let s = Array(text.unicodeScalars)
        let sep = Array(separator.unicodeScalars)
        var fields: [String] = []
        var start = 0
        var i = 0
        while i < s.count {
            if FilterScalars.has(s, prefix: sep, at: i) {
                fields.append(FilterScalars.string(s[start..<i]))
                i += sep.count
                start = i
            } else {
                i += 1
            }
        }
        fields.append(FilterScalars.string(s[start...]))
        while let last = fields.last, last.isEmpty { fields.removeLast() }
        return fields
    }

    /// matcher.rb `eval_compound_fstatement`.
    mutating func function(_ f: FunctionStatement) throws -> Bool {
        guard let result = node.dataQuery(plugin: f.name, query: f.params) else {
            throw FilterEvaluationFailure(reason: "no data plugin \(f.name) or it rejected its query")
        }
        guard let output = f.value else {
            throw FilterEvaluationFailure(reason: "\(f.name)() names no output to compare")
        }
        guard let left = result[output], !left.isNil else { return false }

        let ordering: Set<FunctionStatement.Operator> = [.less, .greater, .lessOrEqual, .greaterOrEqual]
        switch left {
        case .string, .bool:
            if ordering.contains(f.operator) { return false }
        default: break
        }
        if f.params?.contains("`") == true { return false }

        if f.operator == .matches || f.operator == .notMatches {
            guard case .string(let string) = left else { return false }
            let source: String
            switch f.comparand {
            case .regex(let pattern): source = pattern
            case .text(let text): source = text
            }
            let found = try regexes.matches(source, in: string.text)
            return f.operator == .matches ? found : !found
        }

        guard case .text(let right) = f.comparand else {
            throw FilterEvaluationFailure(reason: "cannot compare \(output) with a regex using \(f.operator.rawValue)")
        }
        switch left {
        case .string(let string):
            let equal = string.text.utf8.elementsEqual(right.utf8)
            return f.operator == .equal ? equal : !equal
        case .bool(let bool):
            guard right == "true" || right == "false" else {
                throw FilterEvaluationFailure(reason: "\(right) is not a boolean")
            }
            let equal = bool == (right == "true")
            return f.operator == .equal ? equal : !equal
        case .int, .float, .bigInt:
            return try DataNumber(left).compare(f.operator, DataNumber(parsing: right))
        default:
            throw FilterEvaluationFailure(reason: "\(output) is not a String, number or boolean")
        }
    }
}

/// A number from a data plugin output or from the right hand side of an `fstatement`.
enum DataNumber {
    case integer(Int)
    case real(Double)

    init(_ value: RubyValue) throws {
        switch value {
        case .int(let i): self = .integer(i)
        case .float(let d): self = .real(d)
        case .bigInt(let negative, let magnitude):
            let size = magnitude.reversed().reduce(0.0) { $0 * 256 + Double($1) }
            self = .real(negative ? -size : size)
        default: throw FilterEvaluationFailure(reason: "not a number")
        }
    }

    /// A decimal Integer or Float literal such as `100`, `-3`, `1.5`, `2e3`.
    init(parsing text: String) throws {
        let allowed = text.unicodeScalars.allSatisfy {
            ($0 >= "0" && $0 <= "9") || $0 == "." || $0 == "e" || $0 == "E" || $0 == "+" || $0 == "-"
        }
        if allowed, let i = Int(text) {
            self = .integer(i)
        } else if allowed, text.unicodeScalars.contains(where: { $0 >= "0" && $0 <= "9" }), let d = Double(text) {
            self = .real(d)
        } else {
            throw FilterEvaluationFailure(reason: "\(text) is not a number")
        }
    }

    func compare(_ op: FunctionStatement.Operator, _ other: DataNumber) throws -> Bool {
        let order: Int
        switch (self, other) {
        case (.integer(let a), .integer(let b)): order = a < b ? -1 : (a > b ? 1 : 0)
        default:
            let a = self.double
            let b = other.double
            order = a < b ? -1 : (a > b ? 1 : 0)
        }
        switch op {
        case .equal: return order == 0
        case .notEqual: return order != 0
        case .less: return order < 0
        case .greater: return order > 0
        case .lessOrEqual: return order <= 0
        case .greaterOrEqual: return order >= 0
        case .matches, .notMatches: throw FilterEvaluationFailure(reason: "regex match on a number")
        }
    }

    private var double: Double {
        switch self {
        case .integer(let i): return Double(i)
        case .real(let d): return d
        }
    }
}
