/// The comparison a fact filter applies (MCollective util.rb `has_fact?`).
public enum FactOperator: String, Sendable, Hashable, CaseIterable {
    /// String equality.
    case equal = "=="
    /// Regular expression match; the value is sent as `/re/` and the slashes are stripped on the node.
    case matches = "=~"
    case notEqual = "!="
    case less = "<"
    case greater = ">"
    case lessOrEqual = "<="
    case greaterOrEqual = ">="
}

/// One `-F` fact filter entry: `{:fact=>, :value=>, :operator=>}` on the wire.
public struct FactFilter: Sendable, Hashable {
    /// The fact name (a top-level key of the node's facts).
    public var fact: String
    public var `operator`: FactOperator
    /// The value to compare with; for `=~` the regex including its surrounding slashes, e.g. `/^w/`.
    public var value: String

    public init(fact: String, operator: FactOperator, value: String) {
        self.fact = fact
        self.operator = `operator`
        self.value = value
    }
}
