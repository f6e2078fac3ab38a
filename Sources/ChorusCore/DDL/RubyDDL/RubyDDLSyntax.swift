/// A literal or name in a Ruby DDL, as written (nothing is evaluated yet).
indirect enum RubyDDLExpression: Sendable, Hashable {
    case string([RubyDDLStringPart])
    case symbol(String)
    case integer(Int)
    case float(Double)
    case boolean(Bool)
    case `nil`
    case array([RubyDDLNode])
    /// A `{…}` literal or the trailing `key => value` pairs of an argument list.
    case hash([RubyDDLPair])
    /// `/source/flags`.
    case regex(source: String, flags: String)
    /// `name(arguments)`: only aggregate functions (`summary(:x)`) are calls in the subset.
    case call(name: String, arguments: [RubyDDLNode])
    /// A bare name with optional method calls (`item`, `item.to_s.capitalize`): only the
    /// variable of an enclosing each-loop may be referred to.
    case reference(name: String, methods: [String])
}

/// An expression and where it starts.
struct RubyDDLNode: Sendable, Hashable {
    var expression: RubyDDLExpression
    var position: RubyDDLPosition
}

/// One `key => value` (or `key: value`) pair.
struct RubyDDLPair: Sendable, Hashable {
    var key: RubyDDLNode
    var value: RubyDDLNode
}

/// One statement: a command such as `input :fact, :prompt => "…"` with an optional
/// `do … end` block, or an each-loop over a literal list.
struct RubyDDLStatement: Sendable, Hashable {
    enum Body: Sendable, Hashable {
        case command(name: String, arguments: [RubyDDLNode], block: [RubyDDLStatement]?)
        /// `[…].each do |variable| … end`
        case each(list: RubyDDLNode, variable: String, body: [RubyDDLStatement])
    }

    var body: Body
    var position: RubyDDLPosition
}
