/// Ruby 3.1's `inspect` and `pp` renderings, as `mco` shows reply data.
extension RubyValue {
    /// `inspect` as Ruby 3.1 prints it: `{:pong=>1795542545}`, `"a\tb"`, `["a", "b"]`,
    /// `nil`, `0.2`, `1.0e+20`, `:foo`, `:"foo bar"`, `/x/i`.
    public var inspect: String {
        var text = ""
        RubyInspector.append(self, to: &text)
        return text
    }

    /// `pretty_inspect` (Ruby's `pp`) split into lines, without the final newline: the value on
    /// one line if it fits, else hashes with one pair per line aligned after the opening brace,
    /// and arrays one element per line.
    ///
    /// - Parameter width: the terminal width, as Ruby takes it from `COLUMNS`; lines are kept
    ///   to `width - 1` columns where breaking can achieve it (Ruby's default: 80).
    public func prettyInspectLines(width: Int = 80) -> [String] {
        var printer = RubyPrettyPrinter(maxWidth: width - 1)
        RubyInspector.prettyPrint(self, into: &printer)
        printer.flush()
        return printer.output.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
    }

    /// `pretty_inspect` without the final newline, with every line after the first prefixed
    /// by `indent` spaces (how `mco` lines a multi-line value up under its label).
    public func prettyInspect(width: Int = 80, indent: Int = 0) -> String {
        let lines = prettyInspectLines(width: width)
        return lines.joined(separator: "\n" + String(repeating: " ", count: indent))
    }
}

extension RubyValue: CustomStringConvertible {
    /// The Ruby `inspect` form.
    public var description: String { inspect }
}

extension RubyString {
    /// `String#inspect` for these bytes in this encoding.
    public var inspect: String {
        var text = ""
        RubyInspector.appendString(bytes[...], encoding: encoding, to: &text)
        return text
    }
}

/// The rules behind `inspect` and `pp`.
enum RubyInspector {
    static func append(_ value: RubyValue, to text: inout String) {
        switch value {
        case .nil:
            text += "nil"
        case .bool(let flag):
            text += flag ? "true" : "false"
        case .int(let number):
            text += String(number)
        case .bigInt(let negative, let magnitude):
            text += RubyInteger.decimal(negative: negative, magnitude: magnitude)
        case .float(let number):
            text += FloatText.ruby(number)
        case .string(let string):
            appendString(string.bytes[...], encoding: string.encoding, to: &text)
        case .symbol(let name):
            appendSymbol(name, to: &text)
        case .array(let elements):
            text += "["
            for (index, element) in elements.enumerated() {
                if index > 0 { text += ", " }
                append(element, to: &text)
            }
            text += "]"
        case .hash(let hash):
            text += "{"
            for (index, pair) in hash.pairs.enumerated() {
                if index > 0 { text += ", " }
                append(pair.key, to: &text)
                text += "=>"
                append(pair.value, to: &text)
            }
            text += "}"
        case .regexp(let pattern, let options):
            appendRegexp(pattern: pattern, options: options, to: &text)
        }
    }

    // MARK: pp

    /// `PP#pp`: every object is printed inside its own group.
    static func prettyPrint(_ value: RubyValue, into printer: inout RubyPrettyPrinter) {
        printer.group { printer in prettyPrintBody(value, into: &printer) }
    }

    private static func prettyPrintBody(_ value: RubyValue, into printer: inout RubyPrettyPrinter) {
        switch value {
        case .array(let elements):
            printer.group(indent: 1, open: "[", close: "]") { printer in
                for (index, element) in elements.enumerated() {
                    if index > 0 {
                        printer.text(",")
                        printer.breakable()
                    }
                    prettyPrint(element, into: &printer)
                }
            }
        case .hash(let hash):
            printer.group(indent: 1, open: "{", close: "}") { printer in
                for (index, pair) in hash.pairs.enumerated() {
                    if index > 0 {
                        printer.text(",")
                        printer.breakable()
                    }
                    printer.group { printer in
                        prettyPrint(pair.key, into: &printer)
                        printer.text("=>")
                        printer.group(indent: 1) { printer in
                            printer.breakable("")
                            prettyPrint(pair.value, into: &printer)
                        }
                    }
                }
            }
        case .string(let string):
            // Ruby prints a multi-line String as `"line1\n" + "line2"`.
            let lines = splitLines(string.bytes)
            guard lines.count > 1 else {
                printer.text(value.inspect)
                return
            }
            printer.group { printer in
                for (index, line) in lines.enumerated() {
                    if index > 0 {
                        printer.text(" +")
                        printer.breakable()
                    }
                    printer.group { printer in
                        var text = ""
                        appendString(line, encoding: string.encoding, to: &text)
                        printer.text(text)
                    }
                }
            }
        default:
            printer.text(value.inspect)
        }
    }

    /// `String#lines`: pieces ending just after each "\n".
    private static func splitLines(_ bytes: [UInt8]) -> [ArraySlice<UInt8>] {
        var lines: [ArraySlice<UInt8>] = []
        var start = 0
        for index in bytes.indices where bytes[index] == 0x0A {
            lines.append(bytes[start...index])
            start = index + 1
        }
        if start < bytes.count { lines.append(bytes[start...]) }
        return lines
    }

    // MARK: Strings

    /// `String#inspect`. UTF-8 strings keep printable characters and escape the rest as
    /// `\uXXXX`; other encodings keep printable ASCII and escape other bytes as `\xXX`;
    /// bytes that are not valid UTF-8 in a UTF-8 string become `\xXX`.
    static func appendString(_ bytes: ArraySlice<UInt8>, encoding: RubyEncoding, to text: inout String) {
        text += "\""
        if encoding == .utf8 {
            appendUTF8Contents(bytes, to: &text)
        } else {
            appendByteContents(bytes, to: &text)
        }
        text += "\""
    }

    private static func appendByteContents(_ bytes: ArraySlice<UInt8>, to text: inout String) {
        var index = bytes.startIndex
        while index < bytes.endIndex {
            let byte = bytes[index]
            index += 1
            let next: UInt8? = index < bytes.endIndex ? bytes[index] : nil
            if let escaped = simpleEscape(UInt32(byte), next: next.map(UInt32.init)) {
                text += escaped
            } else if byte >= 0x20 && byte < 0x7F {
                text.unicodeScalars.append(Unicode.Scalar(byte))
            } else {
                text += "\\x" + hex(UInt32(byte), digits: 2)
            }
        }
    }

    private static func appendUTF8Contents(_ bytes: ArraySlice<UInt8>, to text: inout String) {
        var index = bytes.startIndex
        while index < bytes.endIndex {
            guard let (scalar, length) = decodeScalar(bytes, at: index) else {
                text += "\\x" + hex(UInt32(bytes[index]), digits: 2)
                index += 1
                continue
            }
            index += length
            let next = index < bytes.endIndex ? decodeScalar(bytes, at: index)?.0.value : nil
            if let escaped = simpleEscape(scalar.value, next: next) {
                text += escaped
            } else if isPrintable(scalar) {
                text.unicodeScalars.append(scalar)
            } else if scalar.value < 0x10000 {
                text += "\\u" + hex(scalar.value, digits: 4)
            } else {
                text += "\\u{" + hex(scalar.value, digits: 1) + "}"
            }
        }
    }

    /// Escapes `String#inspect` spells out: quotes, backslashes, `#` before `{$@`, and the
    /// named control characters.
    private static func simpleEscape(_ code: UInt32, next: UInt32?) -> String? {
        switch code {
        case 0x22: return "\\\""
        case 0x5C: return "\\\\"
        case 0x23:
            if let next, next == 0x7B || next == 0x24 || next == 0x40 { return "\\#" }
            return nil
        case 0x0A: return "\\n"
        case 0x0D: return "\\r"
        case 0x09: return "\\t"
        case 0x0C: return "\\f"
        case 0x0B: return "\\v"
        case 0x08: return "\\b"
        case 0x07: return "\\a"
        case 0x1B: return "\\e"
        default: return nil
        }
    }

    /// Onigmo's `[[:print:]]` for Unicode: everything but controls, surrogates, unassigned
    /// code points and the line/paragraph separators.
    private static func isPrintable(_ scalar: Unicode.Scalar) -> Bool {
        if scalar.value < 0x80 { return scalar.value >= 0x20 && scalar.value < 0x7F }
        switch scalar.properties.generalCategory {
        case .control, .surrogate, .unassigned, .lineSeparator, .paragraphSeparator: return false
        default: return true
        }
    }

    /// One well-formed UTF-8 scalar at `index`, or nil when the bytes there are not one.
    private static func decodeScalar(_ bytes: ArraySlice<UInt8>, at index: Int) -> (Unicode.Scalar, Int)? {
        let lead = bytes[index]
        if lead < 0x80 { return (Unicode.Scalar(lead), 1) }
        let length: Int
        let minimum: UInt32
        var value: UInt32
        switch lead {
        case 0xC2...0xDF: length = 2; minimum = 0x80; value = UInt32(lead & 0x1F)
        case 0xE0...0xEF: length = 3; minimum = 0x800; value = UInt32(lead & 0x0F)
        case 0xF0...0xF4: length = 4; minimum = 0x10000; value = UInt32(lead & 0x07)
        default: return nil
        }
        guard bytes.endIndex - index >= length else { return nil }
        for offset in 1..<length {
            let byte = bytes[index + offset]
            guard byte & 0xC0 == 0x80 else { return nil }
            value = value << 6 | UInt32(byte & 0x3F)
        }
        guard value >= minimum, let scalar = Unicode.Scalar(value) else { return nil }
        return (scalar, length)
    }

    private static func hex(_ value: UInt32, digits: Int) -> String {
        let text = String(value, radix: 16, uppercase: true)
        return text.count < digits ? String(repeating: "0", count: digits - text.count) + text : text
    }

    // MARK: Symbols

    /// `Symbol#inspect`: `:name` when the name reads back as a symbol literal, else `:"…"`.
    static func appendSymbol(_ name: String, to text: inout String) {
        text += ":"
        if isPlainSymbol(name) {
            text += name
        } else {
            appendString(Array(name.utf8)[...], encoding: .utf8, to: &text)
        }
    }

    private static let operatorSymbols: Set<String> = [
        "|", "^", "&", "<=>", "==", "===", "=~", "!~", ">", ">=", "<", "<=", "<<", ">>", "+", "-", "*",
        "/", "%", "**", "~", "+@", "-@", "~@", "!@", "[]", "[]=", "!", "!=", "`",
    ]

    private static func isPlainSymbol(_ name: String) -> Bool {
        if operatorSymbols.contains(name) { return true }
        let scalars = Array(name.unicodeScalars)
        guard let first = scalars.first else { return false }
        switch first {
        case "$":
            let rest = scalars.dropFirst()
            guard let second = rest.first else { return false }
            if rest.count == 1 && "~*$?!@/\\;,.=:<>\"&`'+0".unicodeScalars.contains(second) { return true }
            if rest.allSatisfy({ ("0"..."9").contains($0) }) { return true }
            if second == "-" { return rest.count == 2 && isIdentifierCharacter(rest[rest.startIndex + 1]) }
            return isIdentifier(rest, allowSuffix: false)
        case "@":
            let rest = scalars.dropFirst()
            if rest.first == "@" { return isIdentifier(rest.dropFirst(), allowSuffix: false) }
            return isIdentifier(rest, allowSuffix: false)
        default:
            return isIdentifier(scalars[...], allowSuffix: true)
        }
    }

    /// An identifier (not starting with a digit), optionally ending in one of `?`, `!`, `=`.
    private static func isIdentifier(_ scalars: ArraySlice<Unicode.Scalar>, allowSuffix: Bool) -> Bool {
        guard let first = scalars.first, isIdentifierCharacter(first), !("0"..."9").contains(first) else {
            return false
        }
        var body = scalars
        if allowSuffix, let last = body.last, last == "?" || last == "!" || last == "=" {
            body = body.dropLast()
        }
        return body.allSatisfy(isIdentifierCharacter)
    }

    private static func isIdentifierCharacter(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar {
        case "a"..."z", "A"..."Z", "0"..."9", "_": return true
        default: return !scalar.isASCII
        }
    }

    // MARK: Regexps

    /// `Regexp#inspect`: `/source/` with unescaped slashes escaped, then `m`, `i`, `x`, `n`.
    static func appendRegexp(pattern: String, options: UInt8, to text: inout String) {
        text += "/"
        appendRegexpSource(pattern, to: &text)
        text += "/"
        if options & 4 != 0 { text += "m" }
        if options & 1 != 0 { text += "i" }
        if options & 2 != 0 { text += "x" }
        if options & 32 != 0 { text += "n" }
    }

    /// `Regexp#to_s`: `(?-mix:source)` with the enabled options before the dash.
    static func regexpToS(pattern: String, options: UInt8) -> String {
        let flags: [(UInt8, String)] = [(4, "m"), (1, "i"), (2, "x")]
        var on = ""
        var off = ""
        for (bit, letter) in flags {
            if options & bit != 0 { on += letter } else { off += letter }
        }
        var text = "(?" + on + (off.isEmpty ? "" : "-" + off) + ":"
        appendRegexpSource(pattern, to: &text)
        return text + ")"
    }

    private static func appendRegexpSource(_ pattern: String, to text: inout String) {
        var escaped = false
        for scalar in pattern.unicodeScalars {
            if escaped {
                text.unicodeScalars.append(scalar)
                escaped = false
            } else if scalar == "\\" {
                text.unicodeScalars.append(scalar)
                escaped = true
            } else if scalar == "/" {
                text += "\\/"
            } else if scalar.value < 0x20 && !(0x09...0x0D).contains(scalar.value) || scalar.value == 0x7F {
                text += "\\x" + hex(scalar.value, digits: 2)
            } else {
                text.unicodeScalars.append(scalar)
            }
        }
    }
}

extension RubyValue {
    /// The value as Ruby's `to_s` prints it (what `puts` and `"%s"` show): Strings and
    /// Symbols bare, nil empty, Regexps as `(?-mix:…)`, everything else as `inspect`.
    public var rubyText: String {
        switch self {
        case .string(let string): return string.text
        case .symbol(let name): return name
        case .nil: return ""
        case .regexp(let pattern, let options): return RubyInspector.regexpToS(pattern: pattern, options: options)
        default: return inspect
        }
    }
}
