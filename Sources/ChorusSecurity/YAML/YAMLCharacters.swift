/// libyaml's character classes over UTF-8 bytes (yaml_private.h), as its emitter applies
/// them. Reading past the end yields NUL, as libyaml's NUL-terminated buffers do.
enum YAMLCharacters {
    @inline(__always)
    static func byte(_ bytes: [UInt8], _ index: Int) -> UInt8 {
        index < bytes.count ? bytes[index] : 0
    }

    /// The length of the UTF-8 sequence starting with `lead` (1 for stray continuation bytes,
    /// so a scan always advances).
    @inline(__always)
    static func width(_ lead: UInt8) -> Int {
        if lead & 0x80 == 0 { return 1 }
        if lead & 0xE0 == 0xC0 { return 2 }
        if lead & 0xF0 == 0xE0 { return 3 }
        if lead & 0xF8 == 0xF0 { return 4 }
        return 1
    }

    static func isBreak(_ bytes: [UInt8], _ index: Int) -> Bool {
        let first = byte(bytes, index)
        switch first {
        case 0x0D, 0x0A: return true
        case 0xC2: return byte(bytes, index + 1) == 0x85
        case 0xE2:
            let third = byte(bytes, index + 2)
            return byte(bytes, index + 1) == 0x80 && (third == 0xA8 || third == 0xA9)
        default: return false
        }
    }

    static func isSpace(_ bytes: [UInt8], _ index: Int) -> Bool { byte(bytes, index) == 0x20 }

    static func isBlank(_ bytes: [UInt8], _ index: Int) -> Bool {
        let value = byte(bytes, index)
        return value == 0x20 || value == 0x09
    }

    /// Blank, line break, or the end (NUL).
    static func isBlankOrEnd(_ bytes: [UInt8], _ index: Int) -> Bool {
        isBlank(bytes, index) || isBreak(bytes, index) || byte(bytes, index) == 0
    }

    /// `IS_PRINTABLE`: LF, printable ASCII, and the BMP outside surrogates, BOM and U+FFFE/F.
    /// Tab, CR and characters beyond the BMP are not printable for libyaml's emitter.
    static func isPrintable(_ bytes: [UInt8], _ index: Int) -> Bool {
        let first = byte(bytes, index)
        let second = byte(bytes, index + 1)
        let third = byte(bytes, index + 2)
        if first == 0x0A || (first >= 0x20 && first <= 0x7E) { return true }
        if first == 0xC2 { return second >= 0xA0 }
        if first > 0xC2 && first < 0xED { return true }
        if first == 0xED { return second < 0xA0 }
        if first == 0xEE { return true }
        if first == 0xEF {
            if second == 0xBB && third == 0xBF { return false }
            if second == 0xBF && (third == 0xBE || third == 0xBF) { return false }
            return true
        }
        return false
    }

    static func isBOM(_ bytes: [UInt8], _ index: Int) -> Bool {
        byte(bytes, index) == 0xEF && byte(bytes, index + 1) == 0xBB && byte(bytes, index + 2) == 0xBF
    }

    /// `IS_ALPHA`: ASCII letters, digits, `_` and `-`.
    static func isAlpha(_ value: UInt8) -> Bool {
        (value >= 0x30 && value <= 0x39) || (value >= 0x41 && value <= 0x5A) || (value >= 0x61 && value <= 0x7A)
            || value == 0x5F || value == 0x2D
    }
}
