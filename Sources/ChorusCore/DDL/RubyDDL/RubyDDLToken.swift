/// A place in a Ruby DDL file: 1-based line and column (columns count Unicode scalars).
struct RubyDDLPosition: Sendable, Hashable, CustomStringConvertible {
    var line: Int
    var column: Int

    var description: String { "line \(line), column \(column)" }
}

/// A problem in a Ruby DDL: where it is (nil for the whole file) and what is wrong.
struct RubyDDLError: Error, Sendable, Hashable {
    var position: RubyDDLPosition?
    var message: String

    init(_ position: RubyDDLPosition?, _ message: String) {
        self.position = position
        self.message = message
    }

    /// The project-wide error for a DDL that cannot be used.
    func loadError(file: String?) -> DDLLoadError {
        DDLLoadError(file: file, location: position?.description ?? "", message: message)
    }
}

/// One piece of a string literal: literal text, or `#{name}` / `#{name.method}` naming an
/// each-loop variable (anything else inside `#{}` is rejected by the scanner).
enum RubyDDLStringPart: Sendable, Hashable {
    case text(String)
    case interpolation(variable: String, methods: [String], position: RubyDDLPosition)
}

/// A lexical token of the declarative Ruby DDL subset.
struct RubyDDLToken: Sendable, Hashable {
    enum Kind: Sendable, Hashable {
        /// A lower-case name: `metadata`, `action`, `do`, `end`, `true`, a block variable.
        case identifier(String)
        /// A capitalised name (`File`, `Facter`): Ruby constants are never part of the subset.
        case constant(String)
        /// `:name` or `:"name"`.
        case symbol(String)
        /// `name:` in a hash (`description: "…"`).
        case label(String)
        /// A quoted string or heredoc.
        case string([RubyDDLStringPart])
        /// `/source/flags`.
        case regex(source: String, flags: String)
        case integer(Int)
        case float(Double)
        /// `%w[a b]` (strings) or `%i[a b]` (symbols).
        case words([String], symbols: Bool)
        case hashRocket
        case comma
        case dot
        case leftParen
        case rightParen
        case leftBracket
        case rightBracket
        case leftBrace
        case rightBrace
        case pipe
        /// A line break or `;`: ends a statement.
        case newline
        /// Any other character or operator; never valid in the subset.
        case other(String)
        case endOfInput
    }

    var kind: Kind
    var position: RubyDDLPosition
    /// Whether white space separates this token from the previous one (`f(x)` versus `f (x)`).
    var spaceBefore: Bool

    /// How the token reads in an error message.
    var spelling: String {
        switch kind {
        case .identifier(let name), .constant(let name): return "'\(name)'"
        case .symbol(let name): return "the symbol :\(name)"
        case .label(let name): return "'\(name):'"
        case .string: return "a string"
        case .regex: return "a regular expression"
        case .integer(let value): return "the number \(value)"
        case .float(let value): return "the number \(value)"
        case .words: return "a %w list"
        case .hashRocket: return "'=>'"
        case .comma: return "','"
        case .dot: return "'.'"
        case .leftParen: return "'('"
        case .rightParen: return "')'"
        case .leftBracket: return "'['"
        case .rightBracket: return "']'"
        case .leftBrace: return "'{'"
        case .rightBrace: return "'}'"
        case .pipe: return "'|'"
        case .newline: return "the end of the line"
        case .other(let text): return "'\(text)'"
        case .endOfInput: return "the end of the file"
        }
    }
}
