import RubyMarshal

/// What Psych 4.0 (Ruby 3.1) makes of a plain scalar: `Psych::ScalarScanner#tokenize`,
/// rule for rule. The dumper quotes every String that would not read back as a String; the
/// loader turns plain scalars into values with it.
enum PsychScalarScanner {
    enum Token: Equatable {
        case null
        case bool(Bool)
        case integer(RubyValue)
        case float(Double)
        case symbol(String)
        /// Shaped like a Time or Date (classes `safe_load` refuses whatever the value);
        /// `valid` when Ruby would make one (`YAML.dump` then quotes the String).
        case timestamp(valid: Bool)
        case string
        /// Text on which Psych's own conversion raises (`0b_`, `+.e+5`, an absurdly long integer).
        case invalid
    }

    /// Integers longer than this many characters are refused rather than converted
    /// (conversion is quadratic in the length).
    static let maxIntegerLength = 2400

    static func tokenize(_ text: String) -> Token {
        if text.isEmpty { return .null }
        let scalars = Array(text.unicodeScalars)
        if text.utf8.contains(0x0A) || looksLikeWord(scalars) {
            return shortWord(text, scalars)
        }
        if let time = timestamp(scalars) { return .timestamp(valid: time) }
        if let date = date(scalars) { return .timestamp(valid: date) }
        switch text.lowercased() {
        case ".inf", "+.inf": return .float(.infinity)
        case "-.inf": return .float(-.infinity)
        case ".nan": return .float(.nan)
        default: break
        }
        if scalars.count >= 2 && scalars[0] == ":" { return .symbol(symbolName(scalars)) }
        if let sexagesimal = sexagesimal(scalars) { return sexagesimal }
        if let float = float(scalars) { return float }
        if let integer = integer(scalars) { return integer }
        return .string
    }

    /// `/\A0[0-7]*[89]/`: text Psych single-quotes because it looks like a bad octal number.
    static func looksLikeBadOctal(_ text: String) -> Bool {
        var iterator = text.utf8.makeIterator()
        guard iterator.next() == UInt8(ascii: "0") else { return false }
        while let byte = iterator.next() {
            if byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "7") { continue }
            return byte == UInt8(ascii: "8") || byte == UInt8(ascii: "9")
        }
        return false
    }

    // MARK: - Words

    /// `%r{^[^\d.:-]?[[:alpha:]_\s!@#$%\^&*(){}<>|/\\~;=]+}` on single-line text.
    private static func looksLikeWord(_ scalars: [Unicode.Scalar]) -> Bool {
        guard let first = scalars.first else { return false }
        if isWordStart(first) { return true }
        let excluded = isASCIIDigit(first) || first == "." || first == ":" || first == "-"
        return !excluded && scalars.count > 1 && isWordStart(scalars[1])
    }

    private static func isWordStart(_ scalar: Unicode.Scalar) -> Bool {
        if scalar.properties.isAlphabetic || scalar == "_" || isRubySpace(scalar) { return true }
        return "!@#$%^&*(){}<>|/\\~;=".unicodeScalars.contains(scalar)
    }

    /// Text that looked like a word: a String unless it is one of the short YAML words.
    private static func shortWord(_ text: String, _ scalars: [Unicode.Scalar]) -> Token {
        if scalars.count > 5 { return .string }
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        // /^[^ytonf~]/i: some line start is followed by a character outside the set.
        var lineStart = true
        for scalar in scalars {
            if lineStart && !"ytonfYTONF~".unicodeScalars.contains(scalar) { return .string }
            lineStart = scalar == "\n"
        }
        let lowered = lines.map { $0.lowercased() }
        if text == "~" || lowered.contains("null") { return .null }
        if lowered.contains(where: { ["yes", "true", "on"].contains($0) }) { return .bool(true) }
        if lowered.contains(where: { ["no", "false", "off"].contains($0) }) { return .bool(false) }
        return .string
    }

    // MARK: - Symbols

    /// `:name`, or `:"name"` / `:'name'` up to the last matching quote with one leading `:`
    /// of the quoted text dropped.
    private static func symbolName(_ scalars: [Unicode.Scalar]) -> String {
        let quote = scalars[1]
        if quote == "\"" || quote == "'", let last = scalars.lastIndex(of: quote), last > 1 {
            var name = String(String.UnicodeScalarView(scalars[2..<last]))
            if name.hasPrefix(":") { name.removeFirst() }
            return name
        }
        return String(String.UnicodeScalarView(scalars[1...]))
    }

    // MARK: - Times and dates

    /// nil when the text is not shaped like Psych's TIME; otherwise whether Ruby accepts it.
    private static func timestamp(_ s: [Unicode.Scalar]) -> Bool? {
        var cursor = Cursor(s)
        _ = cursor.skip("-")
        guard let year = cursor.digits(exactly: 4), cursor.skip("-"),
            let month = cursor.digits(1...2), cursor.skip("-"), let day = cursor.digits(1...2)
        else { return nil }
        if !(cursor.skip("T") || cursor.skip("t")) {
            guard cursor.skipSpaces() > 0 else { return nil }
        }
        guard let hour = cursor.digits(1...2), cursor.skip(":"), let minute = cursor.digits(exactly: 2), cursor.skip(":"),
            let second = cursor.digits(exactly: 2)
        else { return nil }
        if cursor.skip(".") { _ = cursor.digitRun() }
        var offsetValid = true
        if !cursor.atEnd {
            _ = cursor.skipSpaces()
            if cursor.skip("Z") {
                // UTC
            } else if let offset = timeZone(&cursor) {
                offsetValid = offset
            } else {
                return nil
            }
        }
        guard cursor.atEnd else { return nil }
        _ = year
        return (1...12).contains(month) && (1...31).contains(day) && (0...24).contains(hour) && minute <= 59
            && second <= 60 && offsetValid
    }

    /// `[-+]\d{1,2}:?(?:\d\d)?` to the end: nil when it does not match, else whether the offset is in range.
    private static func timeZone(_ cursor: inout Cursor) -> Bool? {
        guard cursor.skip("+") || cursor.skip("-") else { return nil }
        let rest = cursor.remaining
        for hourDigits in [2, 1] {
            var attempt = Cursor(rest)
            guard let hours = attempt.digits(exactly: hourDigits) else { continue }
            _ = attempt.skip(":")
            var minutes = 0
            if !attempt.atEnd {
                guard let value = attempt.digits(exactly: 2), attempt.atEnd else { continue }
                minutes = value
            }
            cursor = attempt
            return hours * 3600 + minutes * 60 < 86400
        }
        return nil
    }

    /// nil when the text is not shaped like Psych's date; otherwise whether it is a real date.
    private static func date(_ s: [Unicode.Scalar]) -> Bool? {
        var cursor = Cursor(s)
        guard let year = cursor.digits(exactly: 4), cursor.skip("-") else { return nil }
        let monthStart = cursor.position
        guard let month = cursor.digits(1...2), cursor.skip("-") else { return nil }
        let monthText = s[monthStart..<(cursor.position - 1)]
        if monthText.count == 2 && !(monthText.first == "0" || ["10", "11", "12"].contains(String(String.UnicodeScalarView(monthText)))) {
            return nil
        }
        let dayStart = cursor.position
        guard let day = cursor.digits(1...2), cursor.atEnd else { return nil }
        let dayText = s[dayStart...]
        if dayText.count == 2, let lead = dayText.first, !["0", "1", "2", "3"].contains(lead) || (lead == "3" && day > 31) {
            return nil
        }
        guard (1...12).contains(month), day >= 1 else { return false }
        let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
        let lengths = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
        return day <= lengths[month - 1]
    }

    // MARK: - Numbers

    /// Base 60: `1:30` (Psych weighs the first of two parts by 3600, as its code does).
    private static func sexagesimal(_ s: [Unicode.Scalar]) -> Token? {
        var cursor = Cursor(s)
        if !cursor.skip("+") { _ = cursor.skip("-") }
        guard let first = cursor.peek, isASCIIDigit(first) else { return nil }
        while let next = cursor.peek, isASCIIDigit(next) || next == "_" { cursor.advance() }
        var groups = 0
        while groups < 2, cursor.peek == ":" {
            var attempt = cursor
            attempt.advance()
            let run = attempt.digitRunLength()
            guard run == 1 || (run == 2 && attempt.peek.map { $0 >= "0" && $0 <= "5" } == true) else { return nil }
            for _ in 0..<run { attempt.advance() }
            cursor = attempt
            groups += 1
        }
        guard groups > 0 else { return nil }
        let text = String(String.UnicodeScalarView(s))
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        if cursor.atEnd {
            var total = 0
            for (index, part) in parts.enumerated() {
                let (product, overflow) = rubyToI(part).multipliedReportingOverflow(by: power60(abs(index - 2)))
                let (sum, overflow2) = total.addingReportingOverflow(product)
                if overflow || overflow2 { return .invalid }
                total = sum
            }
            return .integer(.int(total))
        }
        guard cursor.skip(".") else { return nil }
        while let next = cursor.peek, isASCIIDigit(next) || next == "_" { cursor.advance() }
        guard cursor.atEnd else { return nil }
        var total = 0.0
        for (index, part) in parts.enumerated() {
            total += rubyToF(part) * Double(power60(abs(index - 2)))
        }
        return .float(total)
    }

    private static func power60(_ exponent: Int) -> Int {
        exponent == 0 ? 1 : exponent == 1 ? 60 : 3600
    }

    /// `String#to_i`: optional sign, digits with single underscores between them.
    private static func rubyToI(_ text: Substring) -> Int {
        var value = 0
        var negative = false
        var previousDigit = false
        for (index, byte) in text.utf8.enumerated() {
            if index == 0 && (byte == UInt8(ascii: "-") || byte == UInt8(ascii: "+")) {
                negative = byte == UInt8(ascii: "-")
                continue
            }
            if byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") {
                value = value &* 10 &+ Int(byte - UInt8(ascii: "0"))
                previousDigit = true
            } else if byte == UInt8(ascii: "_") && previousDigit {
                previousDigit = false
            } else {
                break
            }
        }
        return negative ? -value : value
    }

    /// `String#to_f` of a base-60 part: the leading number, underscores between digits dropped.
    private static func rubyToF(_ text: Substring) -> Double {
        var cleaned = ""
        var previousDigit = false
        for scalar in text.unicodeScalars {
            if scalar == "_" && previousDigit {
                previousDigit = false
                continue
            }
            guard isASCIIDigit(scalar) || scalar == "." || scalar == "-" || scalar == "+" else { break }
            cleaned.unicodeScalars.append(scalar)
            previousDigit = isASCIIDigit(scalar)
        }
        return Double(cleaned) ?? 0
    }

    /// `[-+]?([0-9][0-9_,]*)?\.[0-9]*([eE][-+][0-9]+)?`, converted as Psych does.
    private static func float(_ s: [Unicode.Scalar]) -> Token? {
        var cursor = Cursor(s)
        if !cursor.skip("+") { _ = cursor.skip("-") }
        if let first = cursor.peek, isASCIIDigit(first) {
            while let next = cursor.peek, isASCIIDigit(next) || next == "_" || next == "," { cursor.advance() }
        }
        guard cursor.skip(".") else { return nil }
        _ = cursor.digitRun()
        if let marker = cursor.peek, marker == "e" || marker == "E" {
            cursor.advance()
            guard cursor.skip("+") || cursor.skip("-"), cursor.digitRun() > 0 else { return nil }
        }
        guard cursor.atEnd else { return nil }
        let text = String(String.UnicodeScalarView(s))
        if text == "." || text == "+." || text == "-." { return .string }
        // gsub(/[,_]|\.([Ee]|$)/, '\1'), then Float().
        var cleaned: [UInt8] = []
        let bytes = Array(text.utf8)
        for (index, byte) in bytes.enumerated() {
            if byte == UInt8(ascii: ",") || byte == UInt8(ascii: "_") { continue }
            if byte == UInt8(ascii: ".") {
                let next = index + 1 < bytes.count ? bytes[index + 1] : 0
                if next == 0 || next == UInt8(ascii: "e") || next == UInt8(ascii: "E") { continue }
            }
            cleaned.append(byte)
        }
        return rubyFloat(cleaned).map { .float($0) } ?? .invalid
    }

    /// Ruby's strict `Float()` for the shapes that reach it: digits are required before an exponent.
    private static func rubyFloat(_ bytes: [UInt8]) -> Double? {
        var index = 0
        if index < bytes.count && (bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-")) { index += 1 }
        var digits = 0
        var sawPoint = false
        while index < bytes.count {
            let byte = bytes[index]
            if byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") {
                digits += 1
            } else if byte == UInt8(ascii: ".") && !sawPoint {
                sawPoint = true
            } else {
                break
            }
            index += 1
        }
        guard digits > 0 else { return nil }
        return Double(String(decoding: bytes, as: UTF8.self))
    }

    /// Psych's INTEGER alternatives (binary, octal, decimal with single `,`/`_` separators, hex).
    private static func integer(_ s: [Unicode.Scalar]) -> Token? {
        var cursor = Cursor(s)
        var negative = false
        if cursor.skip("-") { negative = true } else { _ = cursor.skip("+") }
        let body = Array(cursor.remaining)
        guard let first = body.first else { return nil }
        func all(_ slice: ArraySlice<Unicode.Scalar>, _ allowed: (Unicode.Scalar) -> Bool) -> Bool {
            !slice.isEmpty && slice.allSatisfy(allowed)
        }
        func separator(_ c: Unicode.Scalar) -> Bool { c == "_" || c == "," }
        var radix = 10
        var digits: ArraySlice<Unicode.Scalar>
        if first == "0" && body.count > 1 && body[1] == "b" {
            guard all(body[2...], { $0 == "0" || $0 == "1" || separator($0) }) else { return nil }
            radix = 2
            digits = body[2...]
        } else if first == "0" && body.count > 1 && body[1] == "x" {
            guard all(body[2...], { $0.properties.isASCIIHexDigit || separator($0) }) else { return nil }
            radix = 16
            digits = body[2...]
        } else if first == "0" && body.count > 1 {
            guard all(body[1...], { ($0 >= "0" && $0 <= "7") || separator($0) }) else { return nil }
            radix = 8
            digits = body[...]
        } else if first == "0" {
            digits = body[...]
        } else {
            guard first >= "1" && first <= "9" else { return nil }
            var index = 1
            while index < body.count {
                if isASCIIDigit(body[index]) {
                    index += 1
                } else if separator(body[index]) && index + 1 < body.count && isASCIIDigit(body[index + 1]) {
                    index += 2
                } else {
                    return nil
                }
            }
            digits = body[...]
        }
        let cleaned = digits.filter { !separator($0) }
        guard !cleaned.isEmpty else { return .invalid }
        guard cleaned.count <= maxIntegerLength else { return .invalid }
        return .integer(RubyIntegerText.value(digits: cleaned.map { UInt8(truncatingIfNeeded: $0.value) }, radix: radix, negative: negative))
    }

    // MARK: - Character classes

    static func isASCIIDigit(_ scalar: Unicode.Scalar) -> Bool { scalar >= "0" && scalar <= "9" }

    /// Ruby's `\s`: space, tab, LF, VT, FF, CR.
    static func isRubySpace(_ scalar: Unicode.Scalar) -> Bool {
        scalar == " " || (scalar.value >= 0x09 && scalar.value <= 0x0D)
    }

    /// Onigmo's `[[:word:]]` for UTF-8 strings: letters, marks, decimal digits, connector punctuation.
    static func isRubyWordCharacter(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.properties.generalCategory {
        case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter,
            .nonspacingMark, .spacingMark, .enclosingMark, .decimalNumber, .connectorPunctuation:
            return true
        default:
            return false
        }
    }
}

/// A read position over Unicode scalars, for the hand-written matchers above.
private struct Cursor {
    let scalars: ArraySlice<Unicode.Scalar>
    var position: Int

    init(_ scalars: [Unicode.Scalar]) {
        self.scalars = scalars[...]
        self.position = 0
    }

    init(_ scalars: ArraySlice<Unicode.Scalar>) {
        self.scalars = scalars
        self.position = scalars.startIndex
    }

    var atEnd: Bool { position >= scalars.endIndex }
    var peek: Unicode.Scalar? { atEnd ? nil : scalars[position] }
    var remaining: ArraySlice<Unicode.Scalar> { scalars[position...] }

    mutating func advance() { position += 1 }

    mutating func skip(_ scalar: Unicode.Scalar) -> Bool {
        guard peek == scalar else { return false }
        position += 1
        return true
    }

    mutating func skipSpaces() -> Int {
        var count = 0
        while let next = peek, PsychScalarScanner.isRubySpace(next) {
            position += 1
            count += 1
        }
        return count
    }

    func digitRunLength() -> Int {
        var index = position
        while index < scalars.endIndex && PsychScalarScanner.isASCIIDigit(scalars[index]) { index += 1 }
        return index - position
    }

    mutating func digitRun() -> Int {
        let length = digitRunLength()
        position += length
        return length
    }

    mutating func digits(exactly count: Int) -> Int? {
        digits(count...count)
    }

    /// Up to `range.upperBound` digits (greedy), at least `range.lowerBound`.
    mutating func digits(_ range: ClosedRange<Int>) -> Int? {
        let available = min(digitRunLength(), range.upperBound)
        guard available >= range.lowerBound else { return nil }
        var value = 0
        for _ in 0..<available {
            value = value * 10 + Int(scalars[position].value - 0x30)
            position += 1
        }
        return value
    }
}
