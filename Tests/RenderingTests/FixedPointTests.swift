import Foundation
import Testing

@testable import chorus

/// `FixedPoint` must print exactly what C's printf (and so `String(format:)`, and Ruby's
/// `"%.2f"`) prints, including the half-way cases decided by the exact binary value.
@Suite("%.Nf without printf")
struct FixedPointTests {
    @Test("ties, near-ties, negatives, zero and subnormals match printf")
    func knownCases() {
        let values: [Double] = [
            0, -0.0, 0.125, 0.375, 2.5, 0.5, 1.5, 1.005, 2.675, 0.045, 99.995, -0.001, -2.5, 123.456,
            1234567.891, .leastNonzeroMagnitude, 1e-300, 4503599627370497, 1e15,
        ]
        for value in values {
            for digits in 0...6 {
                #expect(TextLayout.fixed(value, digits: digits) == String(format: "%.\(digits)f", value), "\(value) \(digits)")
            }
        }
    }

    @Test("200,000 seeded random values match printf")
    func randomValues() {
        var generator = SplitMix64(seed: 20261206)
        var mismatches: [String] = []
        for index in 0..<200_000 {
            let digits = index % 5
            let value: Double
            switch index % 3 {
            case 0: value = Double(generator.next() % 100_000_000) / 1000  // milliseconds as ping prints them
            case 1: value = Double(bitPattern: generator.next())
            default: value = Double(Int64(bitPattern: generator.next()) % 1_000_000) / 8
            }
            guard value.isFinite else { continue }
            let ours = TextLayout.fixed(value, digits: digits)
            let printf = String(format: "%.\(digits)f", value)
            if ours != printf, mismatches.count < 5 { mismatches.append("\(value) %.\(digits)f: \(ours) != \(printf)") }
        }
        #expect(mismatches.isEmpty, "\(mismatches)")
    }
}

/// A small seeded generator, so a failure is reproducible.
private struct SplitMix64 {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
