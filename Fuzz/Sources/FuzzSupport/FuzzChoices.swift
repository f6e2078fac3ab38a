/// Deterministic choices (chunk sizes, options) derived from a seed taken from the input, so a
/// saved crash input replays exactly. SplitMix64: small, fast, and good enough for splitting.
public struct FuzzChoices: Sendable {
    private var state: UInt64

    public init(seed: UInt64) { state = seed }

    /// A number in `1...limit` (limit at least 1).
    public mutating func next(upTo limit: Int) -> Int {
        state &+= 0x9E37_79B9_7F4A_7C15
        var mixed = state
        mixed = (mixed ^ (mixed >> 30)) &* 0xBF58_476D_1CE4_E5B9
        mixed = (mixed ^ (mixed >> 27)) &* 0x94D0_49BB_1331_11EB
        mixed ^= mixed >> 31
        return Int(mixed % UInt64(max(limit, 1))) + 1
    }
}
