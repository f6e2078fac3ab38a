/// SQL three-valued truth.
enum Truth: Sendable {
    case `true`, `false`, unknown

    init(_ value: Bool) { self = value ? .true : .false }

    static prefix func ! (value: Truth) -> Truth {
        switch value {
        case .true: .false
        case .false: .true
        case .unknown: .unknown
        }
    }
}

/// A value met while evaluating a selector.
enum SelectorValue {
    case null
    case string(String)
    case number(Double)
    case boolean(Bool)
}

extension Expression {
    func evaluate(_ lookup: (String) -> String?) -> Truth {
        switch self {
        case .not(let inner):
            return !inner.evaluate(lookup)
        case .and(let left, let right):
            let lhs = left.evaluate(lookup)
            if lhs == .false { return .false }
            let rhs = right.evaluate(lookup)
            if rhs == .false { return .false }
            return lhs == .true && rhs == .true ? .true : .unknown
        case .or(let left, let right):
            let lhs = left.evaluate(lookup)
            if lhs == .true { return .true }
            let rhs = right.evaluate(lookup)
            if rhs == .true { return .true }
            return lhs == .false && rhs == .false ? .false : .unknown
        case .compare(let left, let op, let right):
            return Self.compare(left.value(lookup), op, right.value(lookup))
        case .isNull(let inner, let negated):
            let isNull: Bool
            if case .null = inner.value(lookup) { isNull = true } else { isNull = false }
            return Truth(isNull != negated)
        case .inList(let inner, let list, let negated):
            guard case .string(let text) = inner.value(lookup) else { return .unknown }
            return Truth(list.contains(text) != negated)
        case .identifier, .string, .number, .boolean:
            switch value(lookup) {
            case .boolean(let flag): return Truth(flag)
            case .string(let text) where text.lowercased() == "true": return .true
            case .string(let text) where text.lowercased() == "false": return .false
            default: return .unknown
            }
        }
    }

    func value(_ lookup: (String) -> String?) -> SelectorValue {
        switch self {
        case .identifier(let name):
            guard let text = lookup(name) else { return .null }
            return .string(text)
        case .string(let text): return .string(text)
        case .number(let number): return .number(number)
        case .boolean(let flag): return .boolean(flag)
        default:
            switch evaluate(lookup) {
            case .true: return .boolean(true)
            case .false: return .boolean(false)
            case .unknown: return .null
            }
        }
    }

    private static func compare(_ lhs: SelectorValue, _ op: ComparisonOperator, _ rhs: SelectorValue) -> Truth {
        switch (lhs, rhs) {
        case (.null, _), (_, .null):
            return .unknown
        case (.string(let a), .string(let b)):
            return ordered(a, op, b)
        case (.number(let a), .number(let b)):
            return ordered(a, op, b)
        case (.string(let a), .number(let b)):
            guard let a = Double(a) else { return .unknown }
            return ordered(a, op, b)
        case (.number(let a), .string(let b)):
            guard let b = Double(b) else { return .unknown }
            return ordered(a, op, b)
        case (.boolean(let a), .boolean(let b)):
            switch op {
            case .equal: return Truth(a == b)
            case .notEqual: return Truth(a != b)
            default: return .unknown
            }
        case (.boolean(let a), .string(let b)), (.string(let b), .boolean(let a)):
            let lowered = b.lowercased()
            guard lowered == "true" || lowered == "false" else { return .unknown }
            switch op {
            case .equal: return Truth(a == (lowered == "true"))
            case .notEqual: return Truth(a != (lowered == "true"))
            default: return .unknown
            }
        default:
            return .unknown
        }
    }

    private static func ordered<T: Comparable>(_ a: T, _ op: ComparisonOperator, _ b: T) -> Truth {
        switch op {
        case .equal: Truth(a == b)
        case .notEqual: Truth(a != b)
        case .less: Truth(a < b)
        case .lessOrEqual: Truth(a <= b)
        case .greater: Truth(a > b)
        case .greaterOrEqual: Truth(a >= b)
        }
    }
}
