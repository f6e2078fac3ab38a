import RubyMarshal

/// Integer text to a Ruby Integer value (`.int`, or `.bigInt` beyond `Int`), and back.
enum RubyIntegerText {
    /// `digits` are ASCII digits of `radix` (2, 8, 10 or 16), already validated.
    static func value(digits: [UInt8], radix: Int, negative: Bool) -> RubyValue {
        // Little-endian 32-bit limbs: limbs = limbs * radix + digit.
        var limbs: [UInt32] = [0]
        for digit in digits {
            var carry = UInt64(digitValue(digit))
            for index in limbs.indices {
                let product = UInt64(limbs[index]) * UInt64(radix) + carry
                limbs[index] = UInt32(truncatingIfNeeded: product)
                carry = product >> 32
            }
            if carry > 0 { limbs.append(UInt32(carry)) }
        }
        var magnitude: [UInt8] = []
        magnitude.reserveCapacity(limbs.count * 4)
        for limb in limbs {
            for shift in stride(from: 0, to: 32, by: 8) { magnitude.append(UInt8(truncatingIfNeeded: limb >> UInt32(shift))) }
        }
        while magnitude.last == 0 { magnitude.removeLast() }
        if magnitude.count <= 8 {
            var unsigned: UInt64 = 0
            for byte in magnitude.reversed() { unsigned = unsigned << 8 | UInt64(byte) }
            if negative && unsigned <= UInt64(Int.max) + 1 {
                return .int(unsigned == UInt64(Int.max) + 1 ? Int.min : -Int(unsigned))
            }
            if !negative && unsigned <= UInt64(Int.max) { return .int(Int(unsigned)) }
        }
        return .bigInt(negative: negative, magnitude: magnitude)
    }

    private static func digitValue(_ digit: UInt8) -> UInt8 {
        switch digit {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return digit - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return digit - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return digit - UInt8(ascii: "A") + 10
        default: return 0
        }
    }
}
