import RubyMarshal

extension PsychScalarScanner {
    // MARK: - Numbers

    /// Base 60: `1:30` (Psych weighs the first of two parts by 3600, as its code does).
    static func sexagesimal(_ s: [Unicode.Scalar]) -> Token? {
        var cursor = ScalarCursor(s)
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

    static func power60(_ exponent: Int) -> Int {
        exponent == 0 ? 1 : exponent == 1 ? 60 : 3600
    }

    /// `String#to_i`: optional sign, digits with single underscores between them.
    static func rubyToI(_ text: Substring) -> Int {
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
    static func rubyToF(_ text: Substring) -> Double {
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
    static func float(_ s: [Unicode.Scalar]) -> Token? {
        var cursor = ScalarCursor(s)
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
    static func rubyFloat(_ bytes: [UInt8]) -> Double? {
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
    static func integer(_ s: [Unicode.Scalar]) -> Token? {
        var cursor = ScalarCursor(s)
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
}
