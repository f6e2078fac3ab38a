/// One element of a parsed `-S` expression, as MCollective's `Matcher::Parser` emits it.
public enum CompoundToken: Sendable, Hashable {
    /// `{"statement"=>"role=web"}`: a class name, a `/class regex/` or a fact comparison.
    case statement(String)
    /// `{"fstatement"=>{…}}`: a data plugin comparison such as `fstat('/etc/hosts').size>100`.
    case function(FunctionStatement)
    /// `{"and"=>"and"}`
    case and
    /// `{"or"=>"or"}`
    case or
    /// `{"not"=>"not"}` (written `not` or `!`)
    case not
    /// `{"("=>"("}`
    case open
    /// `{")"=>")"}`
    case close
}

/// A data plugin call in a compound filter: `name('params').value OPERATOR r_compare`.
public struct FunctionStatement: Sendable, Hashable {
    /// The right hand side: plain text, or a regex (`/re/` in the expression, a Ruby `Regexp` on the wire).
    public enum Comparand: Sendable, Hashable {
        case text(String)
        /// The regex source without slashes.
        case regex(String)
    }

    /// The operator after MCollective's rewriting (`=` → `==`, `=`/`!=` before a regex → `=~`/`!=~`).
    public enum Operator: String, Sendable, Hashable, CaseIterable {
        case equal = "=="
        case notEqual = "!="
        case matches = "=~"
        case notMatches = "!=~"
        case less = "<"
        case greater = ">"
        case lessOrEqual = "<="
        case greaterOrEqual = ">="
    }

    /// The data plugin, e.g. `fstat`.
    public var name: String
    /// The query argument with its quotes removed, or nil for `name()`.
    public var params: String?
    /// The output to compare, e.g. `size`; nil when the expression names no output.
    public var value: String?
    public var `operator`: Operator
    public var comparand: Comparand

    public init(name: String, params: String?, value: String?, operator: Operator, comparand: Comparand) {
        self.name = name
        self.params = params
        self.value = value
        self.operator = `operator`
        self.comparand = comparand
    }
}
