/// Splits a `-S` expression into tokens with the rules of MCollective's `Matcher::Scanner`
/// (matcher/scanner.rb): `and`/`or`/`not` only when followed by a space or `(`, `!` as `not`,
/// statements that may contain spaces around their comparison operator (`role = web`),
/// `/regex/` literals that may contain spaces, quoted text, and `name('param').output` calls.
///
/// Positions are Unicode scalar offsets (Ruby's `String#split("")` indices).
struct CompoundScanner {
    enum Kind: Equatable {
        case open, close, and, or, not, statement, function
    }

    struct Token {
        var kind: Kind
        var text: String
        /// 0-based offset of the token's first scalar.
        var start: Int
    }

    private let s: [Unicode.Scalar]
    private let input: String
    private var index = 0

    init(_ input: String) {
        self.input = input
        self.s = Array(input.unicodeScalars)
    }

    /// The next token, or nil at the end of the input.
    mutating func next() throws(FilterError) -> Token? {
        while index < s.count, FilterScalars.isSpace(s[index]) { index += 1 }
        guard index < s.count else { return nil }
        let start = index
        switch s[start] {
        case "(":
            index += 1
            return Token(kind: .open, text: "(", start: start)
        case ")":
            index += 1
            return Token(kind: .close, text: ")", start: start)
        case "!":
            index += 1
            return Token(kind: .not, text: "not", start: start)
        default:
            for (word, kind) in [("not", Kind.not), ("and", .and), ("or", .or)] where isKeyword(word, at: start) {
                index += word.unicodeScalars.count
                return Token(kind: kind, text: word, start: start)
            }
            return try statement(at: start)
        }
    }

    /// A keyword counts only when a space or `(` follows it.
    private func isKeyword(_ word: String, at start: Int) -> Bool {
        let w = Array(word.unicodeScalars)
        guard FilterScalars.has(s, prefix: w, at: start), start + w.count < s.count else { return false }
        let after = s[start + w.count]
        return after == "(" || FilterScalars.isSpace(after)
    }

    private mutating func statement(at start: Int) throws(FilterError) -> Token {
        var current: [Unicode.Scalar] = []
        var j = start
        var isFunction = false
        var escaped = false

        if s[j] == "/" {
            // A class regex runs to the next white space.
            while j < s.count, !FilterScalars.isSpace(s[j]) {
                current.append(s[j])
                j += 1
            }
        } else if FilterScalars.isComparison(s[j]) {
            throw syntax("expected a class or fact name before '\(Character(s[j]))'", at: start)
        } else {
            var separations = 0
            repeat {
                let c = s[j]
                if c == "/" {
                    // A regex literal: everything up to the closing slash, spaces included.
                    current.append(c)
                    j += 1
                    while j < s.count, s[j] != "/" {
                        if s[j] == "\\" {
                            current.append(s[j])
                            j += 1
                            escaped = true
                            guard j < s.count else { throw syntax("unterminated escape in a regular expression", at: start) }
                        }
                        current.append(s[j])
                        j += 1
                    }
                    if j < s.count {
                        current.append(s[j])
                        j += 1
                    }
                    break
                } else if c == "(" {
                    // A data plugin call: everything up to the first `)`.
                    isFunction = true
                    current.append(c)
                    j += 1
                    while j < s.count {
                        let d = s[j]
                        current.append(d)
                        j += 1
                        if d == ")" { break }
                    }
                } else if c == "\"" || c == "'" {
                    // Quoted text: the quotes are dropped, a backslash escapes the next character.
                    escaped = true
                    j += 1
                    while j < s.count {
                        if s[j] == "\\" {
                            j += 1
                            if j >= s.count { break }
                        } else if s[j] == c {
                            j += 1
                            break
                        }
                        current.append(s[j])
                        j += 1
                    }
                } else {
                    current.append(c)
                    j += 1
                }

                if j < s.count, s[j] == " ", endsClassName(at: j), !FilterScalars.isComparison(s[j - 1]) {
                    break
                }
                if j < s.count, s[j] == " ", separations < 2, !Self.hasInnerComparison(current) {
                    // `role = web`: skip the spaces around the operator.
                    var k = j + 1
                    while k < s.count, FilterScalars.isSpace(s[k]) { k += 1 }
                    separations += 1
                    j = k
                }
            } while j < s.count && !FilterScalars.isSpace(s[j]) && s[j] != ")"
        }
        index = j
        return try classify(current, isFunction: isFunction, escaped: escaped, start: start)
    }

    /// A space ends the token unless the next non-space character is a comparison operator.
    private func endsClassName(at position: Int) -> Bool {
        var k = position
        while k < s.count, s[k] == " " { k += 1 }
        return !(k < s.count && FilterScalars.isComparison(s[k]))
    }

    /// `^.+(=|<|>).+$`
    private static func hasInnerComparison(_ t: [Unicode.Scalar]) -> Bool {
        guard t.count >= 3 else { return false }
        return t[1..<(t.count - 1)].contains(where: FilterScalars.isComparison)
    }

    private func classify(_ t: [Unicode.Scalar], isFunction: Bool, escaped: Bool, start: Int) throws(FilterError) -> Token {
        let value = FilterScalars.string(t)
        guard !t.isEmpty else { throw syntax("empty statement", at: start) }
        if t.count >= 2, t.last == "(" {
            throw syntax("malformed token '\(value)'", at: start)
        }
        // `/foo/=bar`, `foo/=bar`: a slash right before an operator.
        if t.count >= 4 {
            for p in 1...(t.count - 3) where t[p] == "/" && FilterScalars.isComparison(t[p + 1]) {
                throw syntax("malformed token '\(value)'", at: start)
            }
        }
        if isFunction {
            guard Self.isFunctionStatement(value) else {
                throw syntax(
                    "malformed data plugin call '\(value)', expected e.g. \(FunctionStatement.example)", at: start)
            }
            return Token(kind: .function, text: value, start: start)
        }
        if !escaped, t.count(where: { $0 == "/" }) % 2 == 1 {
            throw syntax("unbalanced '/' in '\(value)'", at: start)
        }
        return Token(kind: .statement, text: value, start: start)
    }

    /// `name('a', 'b').output OP value` with all single or all double quotes (scanner.rb).
    private static func isFunctionStatement(_ text: String) -> Bool {
        let singleQuoted = #/.+?\((\s*'[^']*'\s*(,\s*'[^']*')*)?\)(\.[a-zA-Z0-9_]+)?((!=|<=|>=|=|>|<).+)?/#
        let doubleQuoted = #/.+?\((\s*"[^"]*"\s*(,\s*"[^"]*")*)?\)(\.[a-zA-Z0-9_]+)?((!=|<=|>=|=|>|<).+)?/#
        return (try? singleQuoted.wholeMatch(in: text)) != nil || (try? doubleQuoted.wholeMatch(in: text)) != nil
    }

    func syntax(_ message: String, at offset: Int) -> FilterError {
        .compoundSyntax(message: message, input: input, column: offset + 1)
    }
}
