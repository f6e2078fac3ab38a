/// C's `printf("%.Nf")` for a Double, in integer arithmetic: the exact binary value scaled by
/// 10^N and rounded half to even, as glibc does. `String(format:)` gives the same text but
/// parses its format on every call, which made it most of the cost of a `chorus ping` line.
enum FixedPoint {
    /// The text, or nil for what this does not cover (non-finite values, more than 19
    /// digits, results beyond 2^64 units of the last digit); callers fall back to printf.
    static func format(_ value: Double, digits: Int) -> String? {
        guard value.isFinite, (0...19).contains(digits) else { return nil }
        var scale: UInt64 = 1
        for _ in 0..<digits { scale *= 10 }
        let biased = Int(value.exponentBitPattern)
        let significand = value.significandBitPattern | (biased == 0 ? 0 : 1 << 52)
        let exponent = (biased == 0 ? 1 : biased) - 1075  // value = significand × 2^exponent
        let units: UInt64
        if exponent >= 0 {
            guard exponent <= 11 else { return nil }
            let (high, low) = (significand << UInt64(exponent)).multipliedFullWidth(by: scale)
            guard high == 0 else { return nil }
            units = low
        } else {
            let (high, low) = significand.multipliedFullWidth(by: scale)
            guard let rounded = shiftRightRoundingHalfEven(high: high, low: low, by: -exponent) else { return nil }
            units = rounded
        }
        var text = String(units)
        let count = text.utf8.count
        if count <= digits { text = String(repeating: "0", count: digits + 1 - count) + text }
        if digits > 0 { text.insert(".", at: text.index(text.endIndex, offsetBy: -digits)) }
        return value.sign == .minus ? "-" + text : text
    }

    /// (high:low) / 2^shift, rounded half to even; nil when the quotient needs more than 64 bits.
    private static func shiftRightRoundingHalfEven(high: UInt64, low: UInt64, by shift: Int) -> UInt64? {
        if shift >= 128 { return 0 }  // the product is below 2^117: less than half
        let quotientHigh = shift >= 64 ? 0 : high >> UInt64(shift)
        guard quotientHigh == 0 else { return nil }
        var quotient: UInt64
        let remainderHigh: UInt64, remainderLow: UInt64, halfHigh: UInt64, halfLow: UInt64
        if shift >= 64 {
            let bits = UInt64(shift - 64)
            quotient = bits == 0 ? high : high >> bits
            remainderHigh = bits == 0 ? 0 : high & ((1 << bits) - 1)
            remainderLow = low
            (halfHigh, halfLow) = bits == 0 ? (0, 1 << 63) : (1 << (bits - 1), 0)
        } else {
            let bits = UInt64(shift)
            quotient = (low >> bits) | (high << (64 - bits))
            remainderHigh = 0
            remainderLow = low & ((1 << bits) - 1)
            (halfHigh, halfLow) = (0, 1 << (bits - 1))
        }
        let above = remainderHigh > halfHigh || (remainderHigh == halfHigh && remainderLow > halfLow)
        let half = remainderHigh == halfHigh && remainderLow == halfLow
        if above || (half && quotient & 1 == 1) {
            guard quotient < .max else { return nil }
            quotient += 1
        }
        return quotient
    }
}
