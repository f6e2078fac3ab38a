/// A recursive-descent parser for ``Selector`` text. Recursion is bounded by
/// ``Selector/maximumDepth`` and the input by ``Selector/maximumLength``.
struct SelectorParser {
    enum Token: Equatable {
        case identifier(String)
        case keyword(Keyword)
        case string(String)
        case number(Double)
        case op(ComparisonOperator)
        case open, close, comma
        case end
    }

    enum Keyword: String {
        case and = "AND", or = "OR", not = "NOT", `is` = "IS", null = "NULL", `in` = "IN"
        case `true` = "TRUE", `false` = "FALSE"
    }

    private var tokens: [(token: Token, offset: Int)] = []
    private var position = 0
    private var depth = 0

    init(_ source: String) throws(SelectorParseError) {
        let bytes = Array(source.utf8)
        guard bytes.count <= Selector.maximumLength else {
            throw SelectorParseError("selector longer than \(Selector.maximumLength) bytes", offset: 0)
        }
        tokens = try Self.tokenize(bytes)
    }

    mutating func parseSelector() throws(SelectorParseError) -> Expression {
        let expression = try parseOr()
        guard current == .end else { throw error("unexpected \(describe(current))") }
        return expression
    }

    // MARK: Grammar

    private mutating func parseOr() throws(SelectorParseError) -> Expression {
        var left = try parseAnd()
        while current == .keyword(.or) {
            advance()
            left = .or(left, try parseAnd())
        }
        return left
    }

    private mutating func parseAnd() throws(SelectorParseError) -> Expression {
        var left = try parseNot()
        while current == .keyword(.and) {
            advance()
            left = .and(left, try parseNot())
        }
        return left
    }

    private mutating func parseNot() throws(SelectorParseError) -> Expression {
        if current == .keyword(.not) {
            advance()
            try enter()
            defer { depth -= 1 }
            return .not(try parseNot())
        }
        return try parseComparison()
    }

    private mutating func parseComparison() throws(SelectorParseError) -> Expression {
        let left = try parsePrimary()
        switch current {
        case .op(let op):
            advance()
            return .compare(left, op, try parsePrimary())
        case .keyword(.is):
            advance()
            var negated = false
            if current == .keyword(.not) {
                negated = true
                advance()
            }
            guard current == .keyword(.null) else { throw error("expected NULL after IS") }
            advance()
            return .isNull(left, negated: negated)
        case .keyword(.not):
            guard tokens[position + 1].token == .keyword(.in) else { return left }
            advance()
            advance()
            return .inList(left, try parseList(), negated: true)
        case .keyword(.in):
            advance()
            return .inList(left, try parseList(), negated: false)
        default:
            return left
        }
    }

    private mutating func parseList() throws(SelectorParseError) -> [String] {
        guard current == .open else { throw error("expected '(' after IN") }
        advance()
        var items: [String] = []
        while true {
            guard case .string(let text) = current else { throw error("expected a string in the IN list") }
            items.append(text)
            advance()
            if current == .comma {
                advance()
                continue
            }
            guard current == .close else { throw error("expected ')' closing the IN list") }
            advance()
            return items
        }
    }

    private mutating func parsePrimary() throws(SelectorParseError) -> Expression {
        switch current {
        case .open:
            advance()
            try enter()
            defer { depth -= 1 }
            let inner = try parseOr()
            guard current == .close else { throw error("expected ')'") }
            advance()
            return inner
        case .identifier(let name):
            advance()
            return .identifier(name)
        case .string(let text):
            advance()
            return .string(text)
        case .number(let number):
            advance()
            return .number(number)
        case .keyword(.true):
            advance()
            return .boolean(true)
        case .keyword(.false):
            advance()
            return .boolean(false)
        default:
            throw error("expected a value but found \(describe(current))")
        }
    }

    // MARK: Helpers

    private var current: Token { tokens[position].token }

    private mutating func advance() {
        if position < tokens.count - 1 { position += 1 }
    }

    private mutating func enter() throws(SelectorParseError) {
        depth += 1
        guard depth <= Selector.maximumDepth else { throw error("nested deeper than \(Selector.maximumDepth)") }
    }

    private func error(_ message: String) -> SelectorParseError {
        SelectorParseError(message, offset: tokens[position].offset)
    }

    private func describe(_ token: Token) -> String {
        switch token {
        case .identifier(let name): "identifier '\(name)'"
        case .keyword(let keyword): keyword.rawValue
        case .string: "a string"
        case .number: "a number"
        case .op(let op): "'\(op.rawValue)'"
        case .open: "'('"
        case .close: "')'"
        case .comma: "','"
        case .end: "the end"
        }
    }

    // MARK: Tokenizer

    private static func isIdentifierStart(_ byte: UInt8) -> Bool {
        (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A) || byte == 0x5F || byte == 0x24
    }

    private static func isDigit(_ byte: UInt8) -> Bool { byte >= 0x30 && byte <= 0x39 }

    private static func tokenize(_ bytes: [UInt8]) throws(SelectorParseError) -> [(token: Token, offset: Int)] {
        var tokens: [(token: Token, offset: Int)] = []
        var index = 0
        while index < bytes.count {
            let start = index
            let byte = bytes[index]
            switch byte {
            case 0x20, 0x09, 0x0A, 0x0D:
                index += 1
                continue
            case UInt8(ascii: "("):
                tokens.append((.open, start))
                index += 1
            case UInt8(ascii: ")"):
                tokens.append((.close, start))
                index += 1
            case UInt8(ascii: ","):
                tokens.append((.comma, start))
                index += 1
            case UInt8(ascii: "="):
                tokens.append((.op(.equal), start))
                index += 1
            case UInt8(ascii: "<"):
                index += 1
                if index < bytes.count, bytes[index] == UInt8(ascii: ">") {
                    tokens.append((.op(.notEqual), start))
                    index += 1
                } else if index < bytes.count, bytes[index] == UInt8(ascii: "=") {
                    tokens.append((.op(.lessOrEqual), start))
                    index += 1
                } else {
                    tokens.append((.op(.less), start))
                }
            case UInt8(ascii: ">"):
                index += 1
                if index < bytes.count, bytes[index] == UInt8(ascii: "=") {
                    tokens.append((.op(.greaterOrEqual), start))
                    index += 1
                } else {
                    tokens.append((.op(.greater), start))
                }
            case UInt8(ascii: "'"):
                index += 1
                var text: [UInt8] = []
                var closed = false
                while index < bytes.count {
                    if bytes[index] == UInt8(ascii: "'") {
                        if index + 1 < bytes.count, bytes[index + 1] == UInt8(ascii: "'") {
                            text.append(UInt8(ascii: "'"))
                            index += 2
                            continue
                        }
                        index += 1
                        closed = true
                        break
                    }
                    text.append(bytes[index])
                    index += 1
                }
                guard closed else { throw SelectorParseError("unterminated string", offset: start) }
                tokens.append((.string(String(decoding: text, as: UTF8.self)), start))
            case _ where isDigit(byte) || ((byte == UInt8(ascii: "-") || byte == UInt8(ascii: "+") || byte == UInt8(ascii: "."))
                && index + 1 < bytes.count && (isDigit(bytes[index + 1]) || bytes[index + 1] == UInt8(ascii: "."))):
                index += 1
                while index < bytes.count, isDigit(bytes[index]) || bytes[index] == UInt8(ascii: ".") { index += 1 }
                let text = String(decoding: bytes[start..<index], as: UTF8.self)
                guard let number = Double(text) else { throw SelectorParseError("invalid number '\(text)'", offset: start) }
                tokens.append((.number(number), start))
            case _ where isIdentifierStart(byte):
                index += 1
                while index < bytes.count, isIdentifierStart(bytes[index]) || isDigit(bytes[index]) { index += 1 }
                let word = String(decoding: bytes[start..<index], as: UTF8.self)
                if let keyword = Keyword(rawValue: word.uppercased()) {
                    tokens.append((.keyword(keyword), start))
                } else {
                    tokens.append((.identifier(word), start))
                }
            default:
                throw SelectorParseError("unexpected character", offset: start)
            }
        }
        tokens.append((.end, bytes.count))
        return tokens
    }
}
