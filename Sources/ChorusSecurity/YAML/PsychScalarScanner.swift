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
