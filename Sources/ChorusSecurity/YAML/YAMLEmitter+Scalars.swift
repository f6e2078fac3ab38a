extension YAMLEmitter {
    typealias WrittenTag = (handle: String?, suffix: [UInt8])

    mutating func emitScalar(_ scalar: YAMLScalar) {
        let analysis = YAMLScalarAnalysis(scalar.value)
        var tag = scalar.writtenTag
        let style = selectStyle(scalar, analysis, tag: &tag)
        processTag(tag)
        increaseIndent(flow: true, indentless: false)
        let allowBreaks = !simpleKeyContext
        switch style {
        case .plain, .any: writePlain(scalar.value, allowBreaks: allowBreaks)
        case .singleQuoted: writeSingleQuoted(scalar.value, allowBreaks: allowBreaks)
        case .doubleQuoted: writeDoubleQuoted(scalar.value, allowBreaks: allowBreaks)
        case .literal: writeLiteral(scalar.value)
        }
        indent = indents.removeLast()
    }

    /// `yaml_emitter_select_scalar_style`.
    private func selectStyle(_ scalar: YAMLScalar, _ analysis: YAMLScalarAnalysis, tag: inout WrittenTag?) -> YAMLScalar.Style {
        let noTag = tag == nil
        var style = scalar.style
        if style == .any { style = .plain }
        if simpleKeyContext && analysis.multiline { style = .doubleQuoted }
        if style == .plain {
            if (flowLevel > 0 && !analysis.flowPlainAllowed) || (flowLevel == 0 && !analysis.blockPlainAllowed) {
                style = .singleQuoted
            }
            if scalar.value.isEmpty && (flowLevel > 0 || simpleKeyContext) { style = .singleQuoted }
            if noTag && !scalar.plainImplicit { style = .singleQuoted }
        }
        if style == .singleQuoted && !analysis.singleQuotedAllowed { style = .doubleQuoted }
        if style == .literal && (!analysis.blockAllowed || flowLevel > 0 || simpleKeyContext) {
            style = .doubleQuoted
        }
        if noTag && !scalar.quotedImplicit && style != .plain { tag = ("!", []) }
        return style
    }

    private mutating func processTag(_ tag: WrittenTag?) {
        guard let tag else { return }
        if let handle = tag.handle {
            if !whitespace { put(0x20) }
            for byte in handle.utf8 { put(byte) }
            whitespace = false
            indention = false
            if !tag.suffix.isEmpty { writeTagContent(tag.suffix) }
        } else {
            writeIndicator("!<", needWhitespace: true, isWhitespace: false, isIndention: false)
            writeTagContent(tag.suffix)
            writeIndicator(">", needWhitespace: false, isWhitespace: false, isIndention: false)
        }
    }

    /// Tag characters, URI-escaping anything outside libyaml's allowed set.
    private mutating func writeTagContent(_ bytes: [UInt8]) {
        let allowed = Set(";/?:@&=+$,_.~*'()[]".utf8)
        var index = 0
        while index < bytes.count {
            let byte = bytes[index]
            if YAMLCharacters.isAlpha(byte) || allowed.contains(byte) {
                index = write(bytes, index)
            } else {
                let end = min(index + YAMLCharacters.width(byte), bytes.count)
                for value in bytes[index..<end] {
                    put(UInt8(ascii: "%"))
                    put(Self.hexDigit(value >> 4))
                    put(Self.hexDigit(value & 0x0F))
                }
                index = end
            }
        }
        whitespace = false
        indention = false
    }

    private static func hexDigit(_ value: UInt8) -> UInt8 {
        value < 10 ? UInt8(ascii: "0") + value : UInt8(ascii: "A") + value - 10
    }

    // MARK: - Scalar writers

    private mutating func writePlain(_ value: [UInt8], allowBreaks: Bool) {
        typealias C = YAMLCharacters
        if !whitespace && (!value.isEmpty || flowLevel > 0) { put(0x20) }
        var spaces = false
        var breaks = false
        var index = 0
        while index < value.count {
            if C.isSpace(value, index) {
                if allowBreaks && !spaces && column > bestWidth && !C.isSpace(value, index + 1) {
                    writeIndent()
                    index += 1
                } else {
                    index = write(value, index)
                }
                spaces = true
            } else if C.isBreak(value, index) {
                if !breaks && value[index] == 0x0A { putBreak() }
                index = writeBreak(value, index)
                indention = true
                breaks = true
            } else {
                if breaks { writeIndent() }
                index = write(value, index)
                indention = false
                spaces = false
                breaks = false
            }
        }
        whitespace = false
        indention = false
    }

    private mutating func writeSingleQuoted(_ value: [UInt8], allowBreaks: Bool) {
        typealias C = YAMLCharacters
        writeIndicator("'", needWhitespace: true, isWhitespace: false, isIndention: false)
        var spaces = false
        var breaks = false
        var index = 0
        while index < value.count {
            if C.isSpace(value, index) {
                if allowBreaks && !spaces && column > bestWidth && index != 0 && index != value.count - 1
                    && !C.isSpace(value, index + 1)
                {
                    writeIndent()
                    index += 1
                } else {
                    index = write(value, index)
                }
                spaces = true
            } else if C.isBreak(value, index) {
                if !breaks && value[index] == 0x0A { putBreak() }
                index = writeBreak(value, index)
                indention = true
                breaks = true
            } else {
                if breaks { writeIndent() }
                if value[index] == UInt8(ascii: "'") { put(UInt8(ascii: "'")) }
                index = write(value, index)
                indention = false
                spaces = false
                breaks = false
            }
        }
        if breaks { writeIndent() }
        writeIndicator("'", needWhitespace: false, isWhitespace: false, isIndention: false)
        whitespace = false
        indention = false
    }

    private mutating func writeDoubleQuoted(_ value: [UInt8], allowBreaks: Bool) {
        typealias C = YAMLCharacters
        writeIndicator("\"", needWhitespace: true, isWhitespace: false, isIndention: false)
        var spaces = false
        var index = 0
        while index < value.count {
            let byte = value[index]
            if !C.isPrintable(value, index) || C.isBOM(value, index) || C.isBreak(value, index)
                || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\")
            {
                let width = C.width(byte)
                var code = UInt32(width == 1 ? byte & 0x7F : width == 2 ? byte & 0x1F : width == 3 ? byte & 0x0F : byte & 0x07)
                for offset in 1..<max(width, 1) {
                    code = (code << 6) + UInt32(C.byte(value, index + offset) & 0x3F)
                }
                index += width
                put(UInt8(ascii: "\\"))
                writeEscape(code)
                spaces = false
            } else if C.isSpace(value, index) {
                if allowBreaks && !spaces && column > bestWidth && index != 0 && index != value.count - 1 {
                    writeIndent()
                    if C.isSpace(value, index + 1) { put(UInt8(ascii: "\\")) }
                    index += 1
                } else {
                    index = write(value, index)
                }
                spaces = true
            } else {
                index = write(value, index)
                spaces = false
            }
        }
        writeIndicator("\"", needWhitespace: false, isWhitespace: false, isIndention: false)
        whitespace = false
        indention = false
    }

    private static let shortEscapes: [UInt32: UInt8] = [
        0x00: UInt8(ascii: "0"), 0x07: UInt8(ascii: "a"), 0x08: UInt8(ascii: "b"), 0x09: UInt8(ascii: "t"),
        0x0A: UInt8(ascii: "n"), 0x0B: UInt8(ascii: "v"), 0x0C: UInt8(ascii: "f"), 0x0D: UInt8(ascii: "r"),
        0x1B: UInt8(ascii: "e"), 0x22: UInt8(ascii: "\""), 0x5C: UInt8(ascii: "\\"), 0x85: UInt8(ascii: "N"),
        0xA0: UInt8(ascii: "_"), 0x2028: UInt8(ascii: "L"), 0x2029: UInt8(ascii: "P"),
    ]

    private mutating func writeEscape(_ code: UInt32) {
        if let letter = Self.shortEscapes[code] {
            put(letter)
            return
        }
        let digits: Int
        if code <= 0xFF {
            put(UInt8(ascii: "x"))
            digits = 2
        } else if code <= 0xFFFF {
            put(UInt8(ascii: "u"))
            digits = 4
        } else {
            put(UInt8(ascii: "U"))
            digits = 8
        }
        for shift in stride(from: (digits - 1) * 4, through: 0, by: -4) {
            put(Self.hexDigit(UInt8((code >> UInt32(shift)) & 0x0F)))
        }
    }

    private mutating func writeLiteral(_ value: [UInt8]) {
        typealias C = YAMLCharacters
        writeIndicator("|", needWhitespace: true, isWhitespace: false, isIndention: false)
        writeBlockScalarHints(value)
        putBreak()
        indention = true
        whitespace = true
        var breaks = true
        var index = 0
        while index < value.count {
            if C.isBreak(value, index) {
                index = writeBreak(value, index)
                indention = true
                breaks = true
            } else {
                if breaks { writeIndent() }
                index = write(value, index)
                indention = false
                breaks = false
            }
        }
    }

    /// The indentation hint (text starting with a space or break) and the chomping
    /// indicator: `-` without a final break, `+` with more than one.
    private mutating func writeBlockScalarHints(_ value: [UInt8]) {
        typealias C = YAMLCharacters
        if C.isSpace(value, 0) || C.isBreak(value, 0) {
            writeIndicator(String(bestIndent), needWhitespace: false, isWhitespace: false, isIndention: false)
        }
        openEnded = 0
        var chomp: String?
        if value.isEmpty {
            chomp = "-"
        } else {
            var last = value.count - 1
            while last > 0 && value[last] & 0xC0 == 0x80 { last -= 1 }
            if !C.isBreak(value, last) {
                chomp = "-"
            } else if last == 0 {
                chomp = "+"
                openEnded = 2
            } else {
                var previous = last - 1
                while previous > 0 && value[previous] & 0xC0 == 0x80 { previous -= 1 }
                if C.isBreak(value, previous) {
                    chomp = "+"
                    openEnded = 2
                }
            }
        }
        if let chomp { writeIndicator(chomp, needWhitespace: false, isWhitespace: false, isIndention: false) }
    }
}
