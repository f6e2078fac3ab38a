/// Splits a Ruby DDL into tokens: names, symbols, labels, strings (both quote styles, Ruby's
/// escapes, heredocs), regular expression literals, numbers, `%w[]`/`%i[]` lists and
/// punctuation. Comments (`#`, `=begin`/`=end`) and `\` line continuations are skipped;
/// `__END__` ends the program.
///
/// It recognises only what declarative DDLs are written with. String interpolation other
/// than `#{name}` of a block variable, `#@`/`#$`, numbers other than decimal ones, `\x`
/// escapes above 0x7F and unterminated literals are errors with their line and column.
struct RubyDDLScanner {
    var scalars: [Unicode.Scalar]
    var index = 0
    var line: Int
    var column: Int
    var tokens: [RubyDDLToken] = []
    var sawSpace = true
    var pendingHeredocs: [PendingHeredoc] = []

    struct PendingHeredoc {
        var tokenIndex: Int
        var terminator: String
        var indented: Bool
        var squiggly: Bool
        var interpolating: Bool
        var position: RubyDDLPosition
    }

    init(scalars: [Unicode.Scalar], line: Int = 1, column: Int = 1) {
        self.scalars = scalars
        self.line = line
        self.column = column
    }

    /// The tokens of `text`, ending with `.endOfInput`.
    static func tokens(in text: String) throws(RubyDDLError) -> [RubyDDLToken] {
        var scanner = RubyDDLScanner(scalars: Array(text.unicodeScalars))
        try scanner.run()
        return scanner.tokens
    }

    // MARK: - Main loop

    mutating func run() throws(RubyDDLError) {
        while let scalar = peek() {
            if column == 1 && scalar == "=" && startsLine(with: "=begin") {
                try skipBlockComment()
                continue
            }
            if column == 1 && scalar == "_" && restOfLine() == "__END__" { break }
            switch scalar {
            case " ", "\t", "\r", "\u{0B}", "\u{0C}":
                advance()
                sawSpace = true
            case "\\" where peek(1) == "\n":
                advance()
                advance()
                sawSpace = true
            case "\n":
                emit(.newline, at: position)
                advance()
                sawSpace = true
                try readHeredocBodies()
            case "#":
                while let next = peek(), next != "\n" { advance() }
            case ";":
                emit(.newline, at: position)
                advance()
            case "a"..."z", "A"..."Z", "_":
                readName()
            case "0"..."9":
                try readNumber()
            case "-" where peek(1).map(Self.isDigit) == true:
                try readNumber()
            case ":":
                try readSymbol()
            case "\"":
                let start = position
                advance()
                emit(.string(try readQuotedContent(terminator: "\"", start: start)), at: start)
            case "'":
                let start = position
                emit(.string([.text(try readSingleQuoted())]), at: start)
            case "/":
                try readRegex()
            case "%":
                try readWordList()
            case "<" where peek(1) == "<":
                try readHeredocStart()
            case "`":
                throw RubyDDLError(position, "` runs a shell command in Ruby; commands are not part of the declarative DDL subset")
            case "@", "$":
                throw RubyDDLError(position, "instance and global variables (@, $) are Ruby code, not part of the declarative DDL subset")
            case "=" where peek(1) == ">":
                emit(.hashRocket, at: position)
                advance()
                advance()
            default:
                let start = position
                let kind: RubyDDLToken.Kind
                switch scalar {
                case ",": kind = .comma
                case ".": kind = .dot
                case "(": kind = .leftParen
                case ")": kind = .rightParen
                case "[": kind = .leftBracket
                case "]": kind = .rightBracket
                case "{": kind = .leftBrace
                case "}": kind = .rightBrace
                case "|": kind = .pipe
                default: kind = .other(String(Character(scalar)))
                }
                advance()
                emit(kind, at: start)
            }
        }
        if let heredoc = pendingHeredocs.first {
            throw RubyDDLError(heredoc.position, "the heredoc <<\(heredoc.terminator) has no body: the file ends on the line that starts it")
        }
        emit(.endOfInput, at: position)
    }

    // MARK: - Cursor

    var position: RubyDDLPosition { RubyDDLPosition(line: line, column: column) }

    func peek(_ offset: Int = 0) -> Unicode.Scalar? {
        let at = index + offset
        return at < scalars.count ? scalars[at] : nil
    }

    mutating func advance() {
        guard index < scalars.count else { return }
        if scalars[index] == "\n" {
            line += 1
            column = 1
        } else {
            column += 1
        }
        index += 1
    }

    mutating func emit(_ kind: RubyDDLToken.Kind, at position: RubyDDLPosition) {
        tokens.append(RubyDDLToken(kind: kind, position: position, spaceBefore: sawSpace))
        sawSpace = false
    }

    func startsLine(with prefix: String) -> Bool {
        let wanted = Array(prefix.unicodeScalars)
        guard index + wanted.count <= scalars.count, Array(scalars[index..<(index + wanted.count)]) == wanted else {
            return false
        }
        let after = peek(wanted.count)
        return after == nil || after == "\n" || after == " " || after == "\t" || after == "\r"
    }

    /// The text from the cursor to the end of the line, without a trailing `\r`.
    func restOfLine() -> String {
        var text = String.UnicodeScalarView()
        var at = index
        while at < scalars.count, scalars[at] != "\n" {
            text.append(scalars[at])
            at += 1
        }
        if text.last == "\r" { text.removeLast() }
        return String(text)
    }

    mutating func skipBlockComment() throws(RubyDDLError) {
        let start = position
        while peek() != nil {
            while let next = peek(), next != "\n" { advance() }
            advance()
            if startsLine(with: "=end") {
                while let next = peek(), next != "\n" { advance() }
                return
            }
        }
        throw RubyDDLError(start, "the =begin comment is never closed with =end")
    }

    static func isDigit(_ scalar: Unicode.Scalar) -> Bool { ("0"..."9").contains(scalar) }

    static func isNameStart(_ scalar: Unicode.Scalar) -> Bool {
        ("a"..."z").contains(scalar) || ("A"..."Z").contains(scalar) || scalar == "_"
    }

    static func isNameCharacter(_ scalar: Unicode.Scalar) -> Bool { isNameStart(scalar) || isDigit(scalar) }

    // MARK: - Names, symbols, numbers

    mutating func readIdentifierText() -> String {
        var name = String.UnicodeScalarView()
        while let next = peek(), Self.isNameCharacter(next) {
            name.append(next)
            advance()
        }
        if let last = peek(), last == "?" || last == "!", peek(1) != "=" {
            name.append(last)
            advance()
        }
        return String(name)
    }

    mutating func readName() {
        let start = position
        let name = readIdentifierText()
        if peek() == ":", peek(1) != ":" {
            advance()
            emit(.label(name), at: start)
            return
        }
        let first = name.unicodeScalars.first!
        emit(("A"..."Z").contains(first) ? .constant(name) : .identifier(name), at: start)
    }

    mutating func readSymbol() throws(RubyDDLError) {
        let start = position
        switch peek(1) {
        case "\""?:
            advance()
            let quoteStart = position
            advance()
            let parts = try readQuotedContent(terminator: "\"", start: quoteStart)
            emit(.symbol(try Self.plainText(parts, what: "a symbol")), at: start)
        case "'"?:
            advance()
            emit(.symbol(try readSingleQuoted()), at: start)
        case ":"?:
            advance()
            advance()
            emit(.other("::"), at: start)
        case let next? where Self.isNameStart(next):
            advance()
            emit(.symbol(readIdentifierText()), at: start)
        default:
            advance()
            emit(.other(":"), at: start)
        }
    }

    mutating func readNumber() throws(RubyDDLError) {
        let start = position
        var text = ""
        if peek() == "-" {
            text = "-"
            advance()
        }
        if peek() == "0", let radix = peek(1), "xXbBoOdD".unicodeScalars.contains(radix) {
            throw RubyDDLError(start, "only decimal numbers are part of the DDL subset; write this number in decimal")
        }
        var isFloat = false
        readDigits(into: &text)
        if peek() == ".", let next = peek(1), Self.isDigit(next) {
            isFloat = true
            text += "."
            advance()
            readDigits(into: &text)
        }
        if let e = peek(), e == "e" || e == "E" {
            let sign = peek(1)
            let hasSign = sign == "+" || sign == "-"
            if let digit = peek(hasSign ? 2 : 1), Self.isDigit(digit) {
                isFloat = true
                text += "e"
                advance()
                if hasSign {
                    text.unicodeScalars.append(sign!)
                    advance()
                }
                readDigits(into: &text)
            }
        }
        if let next = peek(), Self.isNameCharacter(next) {
            throw RubyDDLError(position, "unexpected '\(Character(next))' after the number \(text)")
        }
        if isFloat {
            guard let value = Double(text), value.isFinite else { throw RubyDDLError(start, "the number \(text) is out of range") }
            emit(.float(value), at: start)
        } else {
            guard let value = Int(text) else { throw RubyDDLError(start, "the number \(text) is too large") }
            emit(.integer(value), at: start)
        }
    }

    /// Digits with Ruby's `_` separators (dropped).
    mutating func readDigits(into text: inout String) {
        while let next = peek() {
            if Self.isDigit(next) {
                text.unicodeScalars.append(next)
            } else if next != "_" || !(peek(1).map(Self.isDigit) ?? false) {
                return
            }
            advance()
        }
    }
}
