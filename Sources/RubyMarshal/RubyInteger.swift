/// Integer helpers shared by the Marshal codec, `inspect` and JSON: magnitudes are
/// little-endian bytes without trailing zero bytes, as in `RubyValue.bigInt`.
enum RubyInteger {
    /// The canonical value for a sign and magnitude: `.int` when it fits, else `.bigInt`.
    static func value(negative: Bool, magnitude: [UInt8]) -> RubyValue {
        var bytes = magnitude
        while bytes.last == 0 { bytes.removeLast() }
        if let small = fittingInt(negative: negative, magnitude: bytes) { return .int(small) }
        return .bigInt(negative: negative, magnitude: bytes)
    }

    /// The `Int` for a sign and magnitude, when it fits.
    static func fittingInt(negative: Bool, magnitude: [UInt8]) -> Int? {
        var length = magnitude.count
        while length > 0 && magnitude[length - 1] == 0 { length -= 1 }
        guard length <= 8 else { return nil }
        var unsigned: UInt64 = 0
        for index in stride(from: length - 1, through: 0, by: -1) {
            unsigned = unsigned << 8 | UInt64(magnitude[index])
        }
        if negative {
            if unsigned == UInt64(Int.max) + 1 { return Int.min }
            guard unsigned <= UInt64(Int.max) else { return nil }
            return -Int(unsigned)
        }
        guard unsigned <= UInt64(Int.max) else { return nil }
        return Int(unsigned)
    }

    /// Decimal digits of a magnitude, with a leading `-` when negative and non-zero.
    static func decimal(negative: Bool, magnitude: [UInt8]) -> String {
        // Little-endian 32-bit limbs, divided repeatedly by 10^9.
        var limbs: [UInt32] = []
        limbs.reserveCapacity(magnitude.count / 4 + 1)
        var index = 0
        while index < magnitude.count {
            var limb: UInt32 = 0
            for shift in 0..<4 where index + shift < magnitude.count {
                limb |= UInt32(magnitude[index + shift]) << (8 * UInt32(shift))
            }
            limbs.append(limb)
            index += 4
        }
        while limbs.last == 0 { limbs.removeLast() }
        if limbs.isEmpty { return "0" }
        var chunks: [UInt32] = []
        while !limbs.isEmpty {
            var remainder: UInt64 = 0
            for position in stride(from: limbs.count - 1, through: 0, by: -1) {
                let current = remainder << 32 | UInt64(limbs[position])
                limbs[position] = UInt32(current / 1_000_000_000)
                remainder = current % 1_000_000_000
            }
            chunks.append(UInt32(remainder))
            while limbs.last == 0 { limbs.removeLast() }
        }
        var text = negative ? "-" : ""
        text += String(chunks[chunks.count - 1])
        for chunk in chunks.dropLast().reversed() {
            let digits = String(chunk)
            text += String(repeating: "0", count: 9 - digits.count) + digits
        }
        return text
    }

    /// The magnitude of a run of ASCII decimal digits.
    static func magnitude(decimalDigits digits: some Collection<UInt8>) -> [UInt8] {
        var limbs: [UInt32] = []
        for digit in digits {
            var carry = UInt64(digit &- 0x30)
            for position in limbs.indices {
                let product = UInt64(limbs[position]) * 10 + carry
                limbs[position] = UInt32(truncatingIfNeeded: product)
                carry = product >> 32
            }
            if carry != 0 { limbs.append(UInt32(carry)) }
        }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(limbs.count * 4)
        for limb in limbs {
            for shift in 0..<4 { bytes.append(UInt8(truncatingIfNeeded: limb >> (8 * UInt32(shift)))) }
        }
        while bytes.last == 0 { bytes.removeLast() }
        return bytes
    }
}
