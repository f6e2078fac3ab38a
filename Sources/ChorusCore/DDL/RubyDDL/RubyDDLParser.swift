/// Reads the statements of a Ruby DDL: commands with arguments (with or without
/// parentheses, trailing `key => value` or `key: value` pairs), `do … end` and `{ … }`
/// blocks, each-loops over literal lists, and literal values (strings, symbols, numbers,
/// `true`/`false`/`nil`, arrays, hashes, regular expressions).
///
/// Nothing is evaluated. Conditionals, definitions, operators, constants, method calls on
/// values and variables are errors naming their line and column. Nesting deeper than
/// `maxDepth` is refused, so hostile input cannot exhaust the stack.
struct RubyDDLParser {
    /// The deepest nesting of blocks, lists and hashes accepted (real DDLs use 4).
    static let maxDepth = 32

    private let tokens: [RubyDDLToken]
    private var index = 0
    private var depth = 0

    private enum Closer {
        case end
        case brace
    }

    /// Ruby keywords: none of them starts or continues a declarative statement.
    static let keywords: Set<String> = [
        "alias", "and", "begin", "break", "case", "class", "def", "defined?", "do", "else", "elsif", "end", "ensure",
        "false", "for", "if", "in", "module", "next", "nil", "not", "or", "redo", "rescue", "retry", "return", "self",
        "super", "then", "true", "undef", "unless", "until", "when", "while", "yield",
    ]

    /// The statements of `text`.
    static func parse(_ text: String) throws(RubyDDLError) -> [RubyDDLStatement] {
        var parser = RubyDDLParser(tokens: try RubyDDLScanner.tokens(in: text))
        return try parser.statements(until: nil, opened: nil)
    }

    private init(tokens: [RubyDDLToken]) {
        self.tokens = tokens
    }

    // MARK: - Cursor

    private var current: RubyDDLToken { tokens[index] }

    private mutating func advance() {
        if index < tokens.count - 1 { index += 1 }
    }

    private mutating func skipNewlines() {
        while case .newline = current.kind { advance() }
    }

    private mutating func enter(at position: RubyDDLPosition) throws(RubyDDLError) {
        depth += 1
        if depth > Self.maxDepth {
            throw RubyDDLError(position, "nested deeper than \(Self.maxDepth) levels; real DDLs need a handful")
        }
    }

    private func isClosing(_ closer: Closer?) -> Bool {
        switch (closer, current.kind) {
        case (.end?, .identifier("end")), (.brace?, .rightBrace): return true
        default: return false
        }
    }

    private func unexpected(_ token: RubyDDLToken, _ context: String) -> RubyDDLError {
        switch token.kind {
        case .identifier(let word) where Self.keywords.contains(word) && !["true", "false", "nil", "do", "end"].contains(word):
            return RubyDDLError(
                token.position, "'\(word)' is Ruby control flow or a definition; it is not part of the declarative DDL subset (docs/DDL.md)")
        case .other(let text):
            return RubyDDLError(
                token.position,
                "unexpected '\(text)' \(context): operators, variables (@, $) and commands (`) are Ruby code, not part of the declarative DDL subset (docs/DDL.md)")
        case .constant(let name):
            return RubyDDLError(
                token.position, "'\(name)' is a Ruby constant; constants and the code that uses them are not part of the declarative DDL subset")
        default:
            return RubyDDLError(token.position, "unexpected \(token.spelling) \(context)")
        }
    }

    // MARK: - Statements

    private mutating func statements(until closer: Closer?, opened: RubyDDLPosition?) throws(RubyDDLError) -> [RubyDDLStatement] {
        try enter(at: opened ?? current.position)
        defer { depth -= 1 }
        var result: [RubyDDLStatement] = []
        while true {
            skipNewlines()
            if isClosing(closer) {
                advance()
                return result
            }
            if case .endOfInput = current.kind {
                guard let closer, let opened else { return result }
                let word = closer == .end ? "'end'" : "'}'"
                throw RubyDDLError(opened, "the block opened here is never closed with \(word)")
            }
            result.append(try statement())
            switch current.kind {
            case .newline, .endOfInput: continue
            default:
                if isClosing(closer) { continue }
                throw unexpected(current, "after the statement; put each statement on a line of its own")
            }
        }
    }

    private mutating func statement() throws(RubyDDLError) -> RubyDDLStatement {
        let token = current
        switch token.kind {
        case .leftBracket, .words:
            let list = try listLiteral()
            return try eachLoop(over: list, at: token.position)
        case .identifier(let name) where !Self.keywords.contains(name):
            advance()
            var arguments: [RubyDDLNode] = []
            if case .leftParen = current.kind, !current.spaceBefore {
                advance()
                arguments = try argumentList(parenthesised: true)
            } else if startsArgument(current) {
                arguments = try argumentList(parenthesised: false)
            }
            if case .dot = current.kind {
                throw RubyDDLError(current.position, "method calls are Ruby code, not part of the declarative DDL subset")
            }
            var block: [RubyDDLStatement]?
            if case .identifier("do") = current.kind {
                block = try blockBody(closer: .end)
            } else if case .leftBrace = current.kind {
                block = try blockBody(closer: .brace)
            }
            return RubyDDLStatement(body: .command(name: name, arguments: arguments, block: block), position: token.position)
        default:
            throw unexpected(token, "at the start of a statement; statements start with a name such as metadata, action, input or output")
        }
    }

    private mutating func blockBody(closer: Closer) throws(RubyDDLError) -> [RubyDDLStatement] {
        let open = current.position
        advance()
        if case .pipe = current.kind {
            throw RubyDDLError(current.position, "block variables |…| belong to each-loops only ([…].each do |item| … end)")
        }
        return try statements(until: closer, opened: open)
    }

    /// `[…].each do |variable| … end` (or with braces).
    private mutating func eachLoop(over list: RubyDDLNode, at position: RubyDDLPosition) throws(RubyDDLError) -> RubyDDLStatement {
        guard case .dot = current.kind else {
            throw unexpected(current, "after a list at the start of a statement; only […].each do |item| … end loops are allowed")
        }
        advance()
        guard case .identifier("each") = current.kind else {
            throw RubyDDLError(current.position, "only .each loops over a literal list are part of the DDL subset")
        }
        advance()
        let closer: Closer
        switch current.kind {
        case .identifier("do"): closer = .end
        case .leftBrace: closer = .brace
        default: throw unexpected(current, "after .each; expected do |item|")
        }
        let open = current.position
        advance()
        guard case .pipe = current.kind else { throw unexpected(current, "after do; an each-loop needs one block variable: do |item|") }
        advance()
        guard case .identifier(let variable) = current.kind, !Self.keywords.contains(variable) else {
            throw unexpected(current, "in |…|; an each-loop needs one block variable: do |item|")
        }
        advance()
        guard case .pipe = current.kind else { throw unexpected(current, "in |…|; an each-loop takes exactly one block variable") }
        advance()
        let body = try statements(until: closer, opened: open)
        return RubyDDLStatement(body: .each(list: list, variable: variable, body: body), position: position)
    }

    // MARK: - Arguments

    private func startsArgument(_ token: RubyDDLToken) -> Bool {
        switch token.kind {
        case .string, .symbol, .label, .integer, .float, .regex, .words, .leftBracket, .constant, .other, .leftParen:
            return true
        case .identifier(let name):
            return !Self.keywords.contains(name) || name == "true" || name == "false" || name == "nil"
        default:
            return false
        }
    }

    /// Arguments up to the end of the statement (or the closing parenthesis); trailing
    /// `key => value` pairs become one hash argument, as in Ruby.
    private mutating func argumentList(parenthesised: Bool) throws(RubyDDLError) -> [RubyDDLNode] {
        var positional: [RubyDDLNode] = []
        var pairs: [RubyDDLPair] = []
        if parenthesised { skipNewlines() }
        if parenthesised, case .rightParen = current.kind {
            advance()
            return []
        }
        while true {
            if parenthesised { skipNewlines() }
            if case .label(let name) = current.kind {
                let key = RubyDDLNode(expression: .symbol(name), position: current.position)
                advance()
                skipNewlines()
                pairs.append(RubyDDLPair(key: key, value: try expression()))
            } else {
                let value = try expression()
                if case .hashRocket = current.kind {
                    advance()
                    skipNewlines()
                    pairs.append(RubyDDLPair(key: value, value: try expression()))
                } else {
                    guard pairs.isEmpty else {
                        throw RubyDDLError(value.position, "a plain argument cannot follow key => value pairs")
                    }
                    positional.append(value)
                }
            }
            guard case .comma = current.kind else { break }
            advance()
            skipNewlines()
            if parenthesised, case .rightParen = current.kind { break }
        }
        if parenthesised {
            skipNewlines()
            guard case .rightParen = current.kind else { throw unexpected(current, "in the argument list; expected ',' or ')'") }
            advance()
        }
        if let first = pairs.first {
            positional.append(RubyDDLNode(expression: .hash(pairs), position: first.key.position))
        }
        return positional
    }

    // MARK: - Values

    private mutating func expression() throws(RubyDDLError) -> RubyDDLNode {
        let token = current
        try enter(at: token.position)
        defer { depth -= 1 }
        let node: RubyDDLNode
        switch token.kind {
        case .string(let parts):
            advance()
            node = RubyDDLNode(expression: .string(parts), position: token.position)
        case .symbol(let name):
            advance()
            node = RubyDDLNode(expression: .symbol(name), position: token.position)
        case .integer(let value):
            advance()
            node = RubyDDLNode(expression: .integer(value), position: token.position)
        case .float(let value):
            advance()
            node = RubyDDLNode(expression: .float(value), position: token.position)
        case .regex(let source, let flags):
            advance()
            node = RubyDDLNode(expression: .regex(source: source, flags: flags), position: token.position)
        case .leftBracket, .words:
            node = try listLiteral()
        case .leftBrace:
            node = try hashLiteral()
        case .identifier("true"), .identifier("false"):
            advance()
            node = RubyDDLNode(expression: .boolean(token.kind == .identifier("true")), position: token.position)
        case .identifier("nil"):
            advance()
            node = RubyDDLNode(expression: .nil, position: token.position)
        case .identifier(let name) where !Self.keywords.contains(name):
            advance()
            if case .leftParen = current.kind, !current.spaceBefore {
                advance()
                return RubyDDLNode(expression: .call(name: name, arguments: try argumentList(parenthesised: true)), position: token.position)
            }
            var methods: [String] = []
            while case .dot = current.kind {
                advance()
                guard case .identifier(let method) = current.kind else { throw unexpected(current, "after '.'; expected a method name") }
                methods.append(method)
                advance()
                if case .leftParen = current.kind, !current.spaceBefore {
                    throw RubyDDLError(current.position, "method arguments are Ruby code, not part of the declarative DDL subset")
                }
            }
            return RubyDDLNode(expression: .reference(name: name, methods: methods), position: token.position)
        default:
            throw unexpected(token, "where a value was expected")
        }
        if case .dot = current.kind {
            throw RubyDDLError(current.position, "method calls on values are Ruby code, not part of the declarative DDL subset")
        }
        return node
    }

    /// `[a, b]`, `%w[a b]` or `%i[a b]` (its depth is counted by `expression`).
    private mutating func listLiteral() throws(RubyDDLError) -> RubyDDLNode {
        let start = current
        if case .words(let words, let symbols) = start.kind {
            advance()
            let elements = words.map {
                RubyDDLNode(expression: symbols ? .symbol($0) : .string([.text($0)]), position: start.position)
            }
            return RubyDDLNode(expression: .array(elements), position: start.position)
        }
        advance()
        var elements: [RubyDDLNode] = []
        while true {
            skipNewlines()
            if case .rightBracket = current.kind {
                advance()
                break
            }
            elements.append(try expression())
            skipNewlines()
            if case .comma = current.kind {
                advance()
                continue
            }
            guard case .rightBracket = current.kind else { throw unexpected(current, "in the list; expected ',' or ']'") }
            advance()
            break
        }
        return RubyDDLNode(expression: .array(elements), position: start.position)
    }

    /// `{key => value, key: value}` (its depth is counted by `expression`).
    private mutating func hashLiteral() throws(RubyDDLError) -> RubyDDLNode {
        let start = current.position
        advance()
        var pairs: [RubyDDLPair] = []
        while true {
            skipNewlines()
            if case .rightBrace = current.kind {
                advance()
                break
            }
            if case .label(let name) = current.kind {
                let key = RubyDDLNode(expression: .symbol(name), position: current.position)
                advance()
                skipNewlines()
                pairs.append(RubyDDLPair(key: key, value: try expression()))
            } else {
                let key = try expression()
                guard case .hashRocket = current.kind else { throw unexpected(current, "in the hash; expected '=>'") }
                advance()
                skipNewlines()
                pairs.append(RubyDDLPair(key: key, value: try expression()))
            }
            skipNewlines()
            if case .comma = current.kind {
                advance()
                continue
            }
            guard case .rightBrace = current.kind else { throw unexpected(current, "in the hash; expected ',' or '}'") }
            advance()
            break
        }
        return RubyDDLNode(expression: .hash(pairs), position: start)
    }
}
