/// Quoted strings, escapes, `#{name}` interpolation, regular expression literals and
/// `%w[]`/`%i[]` lists.
extension RubyDDLScanner {
    /// A single-quoted string from the opening quote: only `\\` and `\'` are escapes.
    mutating func readSingleQuoted() throws(RubyDDLError) -> String {
        let start = position
        advance()
        var text = String.UnicodeScalarView()
        while true {
            guard let next = peek() else { throw RubyDDLError(start, "this string is never closed: add the missing '") }
            advance()
            if next == "'" { return String(text) }
            if next == "\\", let escaped = peek(), escaped == "\\" || escaped == "'" {
                text.append(escaped)
                advance()
                continue
            }
            text.append(next)
        }
    }

    /// The content of a double-quoted string (or an interpolating heredoc body when
    /// `terminator` is nil), after the opening quote, with escapes and `#{name}` read.
    mutating func readQuotedContent(terminator: Unicode.Scalar?, start: RubyDDLPosition) throws(RubyDDLError) -> [RubyDDLStringPart] {
        var parts: [RubyDDLStringPart] = []
        var text = String.UnicodeScalarView()
        func flush() {
            if !text.isEmpty { parts.append(.text(String(text))) }
            text = String.UnicodeScalarView()
        }
        while true {
            guard let next = peek() else {
                if terminator == nil { break }
                throw RubyDDLError(start, "this string is never closed: add the missing \"")
            }
            if next == terminator {
                advance()
                break
            }
            if next == "\\" {
                let escapeStart = position
                advance()
                try readEscape(into: &text, at: escapeStart, stringStart: start)
                continue
            }
            if next == "#", let after = peek(1) {
                if after == "{" {
                    let interpolation = try readInterpolation()
                    flush()
                    parts.append(interpolation)
                    continue
                }
                if after == "@" || after == "$" {
                    throw RubyDDLError(position, "#\(Character(after)) interpolates a Ruby variable, which is not part of the DDL subset; write \\#\(Character(after)) for the literal text")
                }
            }
            text.append(next)
            advance()
        }
        flush()
        return parts
    }

    mutating func readEscape(into text: inout String.UnicodeScalarView, at escape: RubyDDLPosition, stringStart: RubyDDLPosition) throws(RubyDDLError) {
        guard let code = peek() else { throw RubyDDLError(stringStart, "this string is never closed: add the missing \"") }
        advance()
        switch code {
        case "n": text.append("\n")
        case "t": text.append("\t")
        case "r": text.append("\r")
        case "s": text.append(" ")
        case "e": text.append("\u{1B}")
        case "a": text.append("\u{07}")
        case "b": text.append("\u{08}")
        case "f": text.append("\u{0C}")
        case "v": text.append("\u{0B}")
        case "\n": break
        case "0"..."7":
            var value = code.value - 48
            for _ in 0..<2 {
                guard let digit = peek(), ("0"..."7").contains(digit) else { break }
                value = value * 8 + digit.value - 48
                advance()
            }
            try appendByteEscape(value, into: &text, at: escape)
        case "x":
            var value: UInt32 = 0
            var count = 0
            while count < 2, let digit = peek(), let nibble = Self.hexValue(digit) {
                value = value * 16 + nibble
                count += 1
                advance()
            }
            guard count > 0 else { throw RubyDDLError(escape, "\\x must be followed by hexadecimal digits") }
            try appendByteEscape(value, into: &text, at: escape)
        case "u":
            if peek() == "{" {
                advance()
                while true {
                    while peek() == " " || peek() == "\t" { advance() }
                    if peek() == "}" {
                        advance()
                        break
                    }
                    let value = try readHex(maxDigits: 6, at: escape)
                    guard let scalar = Unicode.Scalar(value) else { throw RubyDDLError(escape, "\\u{\(String(value, radix: 16))} is not a Unicode character") }
                    text.append(scalar)
                }
            } else {
                let value = try readHex(maxDigits: 4, exactly: true, at: escape)
                guard let scalar = Unicode.Scalar(value) else { throw RubyDDLError(escape, "\\u\(String(value, radix: 16)) is not a Unicode character") }
                text.append(scalar)
            }
        case "c", "C", "M":
            throw RubyDDLError(escape, "control and meta escapes (\\\(Character(code))) are not part of the DDL subset")
        default:
            text.append(code)
        }
    }

    mutating func readHex(maxDigits: Int, exactly: Bool = false, at escape: RubyDDLPosition) throws(RubyDDLError) -> UInt32 {
        var value: UInt32 = 0
        var count = 0
        while count < maxDigits, let digit = peek(), let nibble = Self.hexValue(digit) {
            value = value * 16 + nibble
            count += 1
            advance()
        }
        guard count > 0, !exactly || count == maxDigits else {
            throw RubyDDLError(escape, "invalid \\u escape: give \(exactly ? "exactly \(maxDigits)" : "1 to \(maxDigits)") hexadecimal digits")
        }
        return value
    }

    /// `\x` and octal escapes make bytes in Ruby; only ASCII ones are the same as characters.
    func appendByteEscape(_ value: UInt32, into text: inout String.UnicodeScalarView, at escape: RubyDDLPosition) throws(RubyDDLError) {
        guard value < 0x80, let scalar = Unicode.Scalar(value) else {
            throw RubyDDLError(escape, "byte escapes above \\x7F make raw bytes, not characters; write the character itself or use \\u{…}")
        }
        text.append(scalar)
    }

    static func hexValue(_ scalar: Unicode.Scalar) -> UInt32? {
        switch scalar {
        case "0"..."9": return scalar.value - 48
        case "a"..."f": return scalar.value - 87
        case "A"..."F": return scalar.value - 55
        default: return nil
        }
    }

    /// `#{name}` or `#{name.method.method}`; anything else is Ruby code and refused.
    mutating func readInterpolation() throws(RubyDDLError) -> RubyDDLStringPart {
        let start = position
        advance()
        advance()
        var content = String.UnicodeScalarView()
        while true {
            guard let next = peek(), next != "\n" else {
                throw RubyDDLError(start, "the interpolation #{ is never closed on its line")
            }
            advance()
            if next == "}" { break }
            content.append(next)
        }
        let code = Self.trimmed(String(content))
        let pieces = code.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        let isName: (String) -> Bool = { piece in
            guard let first = piece.unicodeScalars.first, ("a"..."z").contains(first) || first == "_" else { return false }
            return piece.unicodeScalars.allSatisfy(Self.isNameCharacter)
        }
        guard pieces.allSatisfy(isName) else {
            throw RubyDDLError(
                start,
                "the interpolation #{\(code)} is Ruby code; the DDL subset only interpolates the variable of an enclosing each-loop, as in #{item} or #{item.capitalize}")
        }
        return .interpolation(variable: pieces[0], methods: Array(pieces.dropFirst()), position: start)
    }

    static func trimmed(_ text: String) -> String {
        let isSpace: (Unicode.Scalar) -> Bool = { $0 == " " || $0 == "\t" }
        var scalars = Array(text.unicodeScalars.drop(while: isSpace))
        while let last = scalars.last, isSpace(last) { scalars.removeLast() }
        return String(String.UnicodeScalarView(scalars))
    }

    static func plainText(_ parts: [RubyDDLStringPart], what: String) throws(RubyDDLError) -> String {
        var text = ""
        for part in parts {
            switch part {
            case .text(let piece): text += piece
            case .interpolation(_, _, let position):
                throw RubyDDLError(position, "\(what) cannot contain an interpolation")
            }
        }
        return text
    }

    // MARK: - Regular expressions and word lists

    mutating func readRegex() throws(RubyDDLError) {
        let start = position
        advance()
        var source = String.UnicodeScalarView()
        while true {
            guard let next = peek(), next != "\n" else {
                throw RubyDDLError(start, "this regular expression is never closed on its line: add the missing /")
            }
            if next == "/" {
                advance()
                break
            }
            if next == "#", peek(1) == "{" {
                throw RubyDDLError(position, "interpolation #{…} inside a regular expression is Ruby code, not part of the DDL subset")
            }
            source.append(next)
            advance()
            if next == "\\", let escaped = peek(), escaped != "\n" {
                source.append(escaped)
                advance()
            }
        }
        var flags = ""
        while let flag = peek(), Self.isNameStart(flag) {
            guard "imx".unicodeScalars.contains(flag) else {
                throw RubyDDLError(position, "the regular expression flag '\(Character(flag))' is not supported (i, m and x are)")
            }
            flags.unicodeScalars.append(flag)
            advance()
        }
        emit(.regex(source: String(source), flags: flags), at: start)
    }

    mutating func readWordList() throws(RubyDDLError) {
        let start = position
        guard let type = peek(1), type == "w" || type == "i", let open = peek(2), !Self.isNameCharacter(open), open != " " else {
            throw RubyDDLError(start, "only %w[…] and %i[…] word lists are part of the DDL subset")
        }
        let close: Unicode.Scalar
        switch open {
        case "[": close = "]"
        case "(": close = ")"
        case "{": close = "}"
        case "<": close = ">"
        default: close = open
        }
        advance()
        advance()
        advance()
        var words: [String] = []
        var word = String.UnicodeScalarView()
        var depth = 0
        while true {
            guard let next = peek() else { throw RubyDDLError(start, "this %\(Character(type)) list is never closed: add the missing \(Character(close))") }
            advance()
            if next == close && depth == 0 { break }
            if next == "\\", let escaped = peek() {
                word.append(escaped)
                advance()
                continue
            }
            if open != close {
                if next == open { depth += 1 }
                if next == close { depth -= 1 }
            }
            if next == " " || next == "\t" || next == "\n" || next == "\r" {
                if !word.isEmpty { words.append(String(word)) }
                word = String.UnicodeScalarView()
            } else {
                word.append(next)
            }
        }
        if !word.isEmpty { words.append(String(word)) }
        emit(.words(words, symbols: type == "i"), at: start)
    }
}
