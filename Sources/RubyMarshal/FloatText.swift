/// Ruby's textual forms of a Float, built from the shortest digit string that reads back
/// as the same Double (what Ruby's `dtoa` mode 0 and Swift's `description` both produce).
enum FloatText {
    /// Shortest round-trip digits: value = 0.`digits` × 10^`decimalPoint`.
    struct Digits {
        var negative: Bool
        var digits: [UInt8]
        var decimalPoint: Int
    }

    /// The digits of a finite, non-zero value.
    static func digits(of value: Double) -> Digits {
        var negative = false
        var digits: [UInt8] = []
        digits.reserveCapacity(17)
        var integerDigits = 0
        var seenPoint = false
        var exponent = 0
        var exponentNegative = false
        var inExponent = false
        for byte in value.description.utf8 {
            switch byte {
            case UInt8(ascii: "-"):
                if inExponent { exponentNegative = true } else { negative = true }
            case UInt8(ascii: "+"):
                continue
            case UInt8(ascii: "."):
                seenPoint = true
            case UInt8(ascii: "e"), UInt8(ascii: "E"):
                inExponent = true
            case UInt8(ascii: "0")...UInt8(ascii: "9"):
                if inExponent {
                    exponent = exponent * 10 + Int(byte - UInt8(ascii: "0"))
                } else {
                    digits.append(byte)
                    if !seenPoint { integerDigits += 1 }
                }
            default:
                continue
            }
        }
        var decimalPoint = integerDigits + (exponentNegative ? -exponent : exponent)
        var leading = 0
        while leading < digits.count - 1 && digits[leading] == UInt8(ascii: "0") {
            leading += 1
            decimalPoint -= 1
        }
        digits.removeFirst(leading)
        while digits.count > 1 && digits.last == UInt8(ascii: "0") { digits.removeLast() }
        return Digits(negative: negative, digits: digits, decimalPoint: decimalPoint)
    }

    /// The text `Marshal.dump` writes for a Float: "0.200653", "1e20", "-0", "inf", "nan".
    static func marshal(_ value: Double) -> String {
        if value.isNaN { return "nan" }
        if value.isInfinite { return value < 0 ? "-inf" : "inf" }
        if value == 0 { return value.sign == .minus ? "-0" : "0" }
        let parts = digits(of: value)
        let digits = parts.digits
        let count = digits.count
        let point = parts.decimalPoint
        var text = parts.negative ? "-" : ""
        if point < -3 || point > count {
            text += ascii(digits[0..<1])
            if count > 1 { text += "." + ascii(digits[1...]) }
            text += "e" + String(point - 1)
        } else if point > 0 {
            text += ascii(digits[0..<point])
            if count > point { text += "." + ascii(digits[point...]) }
        } else {
            text += "0." + String(repeating: "0", count: -point) + ascii(digits[...])
        }
        return text
    }

    /// `Float#to_s` / `inspect`: "0.2", "100.0", "1.0e+20", "1.0e-05", "Infinity", "NaN".
    static func ruby(_ value: Double) -> String {
        if value.isNaN { return "NaN" }
        if value.isInfinite { return value < 0 ? "-Infinity" : "Infinity" }
        if value == 0 { return value.sign == .minus ? "-0.0" : "0.0" }
        let parts = digits(of: value)
        let digits = parts.digits
        let count = digits.count
        let point = parts.decimalPoint
        var text = parts.negative ? "-" : ""
        if point > 0 && point <= 16 {
            if point < count {
                text += ascii(digits[0..<point]) + "." + ascii(digits[point...])
            } else {
                text += ascii(digits[...]) + String(repeating: "0", count: point - count) + ".0"
            }
        } else if point <= 0 && point > -4 {
            text += "0." + String(repeating: "0", count: -point) + ascii(digits[...])
        } else {
            text += ascii(digits[0..<1]) + "." + (count > 1 ? ascii(digits[1...]) : "0")
            let exponent = point - 1
            let magnitude = String(exponent.magnitude)
            text += "e" + (exponent < 0 ? "-" : "+") + (magnitude.count < 2 ? "0" : "") + magnitude
        }
        return text
    }

    /// Parses the text of a Marshal Float (as Ruby's loader does, ignoring anything after a
    /// NUL byte, which old Rubies used for extra mantissa bits). Returns nil for text Ruby
    /// never writes.
    static func parseMarshal(_ text: UnsafeBufferPointer<UInt8>) -> Double? {
        var end = 0
        while end < text.count && text[end] != 0 { end += 1 }
        let body = UnsafeBufferPointer(rebasing: text[0..<end])
        if body.elementsEqual("nan".utf8) { return .nan }
        if body.elementsEqual("inf".utf8) { return .infinity }
        if body.elementsEqual("-inf".utf8) { return -.infinity }
        guard !body.isEmpty, body.count <= 400 else { return nil }
        var digitSeen = false
        for byte in body {
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digitSeen = true
            case UInt8(ascii: "+"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "e"), UInt8(ascii: "E"): continue
            default: return nil
            }
        }
        guard digitSeen else { return nil }
        return Double(String(decoding: body, as: UTF8.self))
    }

    private static func ascii(_ bytes: ArraySlice<UInt8>) -> String {
        String(decoding: bytes, as: UTF8.self)
    }
}
