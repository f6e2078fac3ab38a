/// A JMS message selector (the SQL-92 subset ActiveMQ accepts on SUBSCRIBE's `selector` header),
/// evaluated against a message's STOMP headers.
///
/// Supported: identifiers (header names), string literals in single quotes (`''` for a quote),
/// integer and decimal literals, `TRUE`/`FALSE`, `=`, `<>`, `<`, `<=`, `>`, `>=`,
/// `IS [NOT] NULL`, `[NOT] IN ('a', 'b')`, `AND`, `OR`, `NOT` and parentheses. Keywords are
/// case-insensitive. Evaluation uses SQL three-valued logic: a missing header is NULL, any
/// comparison with NULL is unknown, and a message is selected only when the result is true.
/// A header compared with a number is read as a number; if it is not one the comparison is unknown.
///
/// Example (MCollective's activemq connector): `mc_identity = 'node1'`.
public struct Selector: Sendable, Hashable, CustomStringConvertible {
    /// The selector text as given.
    public let source: String
    let root: Expression

    /// Parses `source`.
    /// - Throws: ``SelectorParseError`` for syntax errors, or a selector longer than
    ///   ``maximumLength`` or nested deeper than ``maximumDepth``.
    public init(_ source: String) throws(SelectorParseError) {
        self.source = source
        var parser = try SelectorParser(source)
        self.root = try parser.parseSelector()
    }

    /// Longest selector text accepted, in bytes.
    public static let maximumLength = 4096
    /// Deepest nesting of parentheses and `NOT` accepted.
    public static let maximumDepth = 32

    /// Whether a message with these headers is selected.
    public func matches(_ lookup: (String) -> String?) -> Bool {
        root.evaluate(lookup) == .true
    }

    public var description: String { source }

    public static func == (lhs: Selector, rhs: Selector) -> Bool { lhs.source == rhs.source }
    public func hash(into hasher: inout Hasher) { hasher.combine(source) }
}

/// A parsed selector expression.
indirect enum Expression: Sendable {
    case identifier(String)
    case string(String)
    case number(Double)
    case boolean(Bool)
    case not(Expression)
    case and(Expression, Expression)
    case or(Expression, Expression)
    case compare(Expression, ComparisonOperator, Expression)
    case isNull(Expression, negated: Bool)
    case inList(Expression, [String], negated: Bool)
}

/// Comparison operators of the selector language.
enum ComparisonOperator: String, Sendable {
    case equal = "="
    case notEqual = "<>"
    case less = "<"
    case lessOrEqual = "<="
    case greater = ">"
    case greaterOrEqual = ">="
}
