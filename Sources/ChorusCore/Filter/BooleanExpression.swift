/// Combines a compound expression's truth values with Ruby's precedence: `!` over `&&` over `||`,
/// parentheses first. Iterative (an explicit operator stack), so deep nesting cannot overflow.
enum BooleanExpression {
    enum Item: Equatable {
        case value(Bool)
        case and, or, not, open, close
    }

    private enum Operator: Equatable {
        case not, and, or, open

        var precedence: Int {
            switch self {
            case .not: return 3
            case .and: return 2
            case .or: return 1
            case .open: return 0
            }
        }
    }

    /// Throws `FilterEvaluationFailure` when the items do not form an expression (Ruby would
    /// raise a SyntaxError or get nil from `eval`).
    static func evaluate(_ items: [Item]) throws -> Bool {
        var operands: [Bool] = []
        var operators: [Operator] = []
        var expectOperand = true

        func apply(_ op: Operator) throws {
            switch op {
            case .not:
                guard let value = operands.popLast() else { throw malformed }
                operands.append(!value)
            case .and, .or:
                guard let right = operands.popLast(), let left = operands.popLast() else { throw malformed }
                operands.append(op == .and ? (left && right) : (left || right))
            case .open:
                throw malformed
            }
        }

        for item in items {
            switch item {
            case .value(let value):
                guard expectOperand else { throw malformed }
                operands.append(value)
                expectOperand = false
            case .not, .open:
                guard expectOperand else { throw malformed }
                operators.append(item == .not ? .not : .open)
            case .and, .or:
                guard !expectOperand else { throw malformed }
                let op: Operator = item == .and ? .and : .or
                while let top = operators.last, top != .open, top.precedence >= op.precedence {
                    try apply(operators.removeLast())
                }
                operators.append(op)
                expectOperand = true
            case .close:
                guard !expectOperand else { throw malformed }
                while let top = operators.last, top != .open { try apply(operators.removeLast()) }
                guard operators.popLast() == .open else { throw malformed }
            }
        }
        guard !expectOperand else { throw malformed }
        while let top = operators.popLast() { try apply(top) }
        guard operands.count == 1, let result = operands.first else { throw malformed }
        return result
    }

    private static var malformed: FilterEvaluationFailure {
        FilterEvaluationFailure(reason: "the compound expression is malformed")
    }
}
