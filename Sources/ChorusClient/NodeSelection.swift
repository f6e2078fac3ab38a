/// `--limit-nodes N` / `--limit-nodes N%` / `-1`: how many of the discovered nodes to use.
public enum NodeLimit: Sendable, Equatable {
    case count(Int)
    case percent(Int)

    /// Parses `10` or `10%`.
    public init?(_ text: String) {
        if text.hasSuffix("%"), let value = Int(text.dropLast()), value > 0, value <= 100 {
            self = .percent(value)
        } else if let value = Int(text), value > 0 {
            self = .count(value)
        } else {
            return nil
        }
    }

    /// How many of `total` nodes this limit keeps (at least one when there are any).
    public func apply(to total: Int) -> Int {
        switch self {
        case .count(let n): return min(n, total)
        case .percent(let p): return total == 0 ? 0 : max(1, total * p / 100)
        }
    }
}

/// Chooses which discovered nodes to address under a limit: a random sample, reproducible
/// with `--limit-seed` (the same seed and node list always give the same sample).
public enum NodeSelection {
    public static func choose(_ nodes: [String], limit: NodeLimit?, seed: UInt64?) -> [String] {
        guard let limit else { return nodes }
        let keep = limit.apply(to: nodes.count)
        guard keep < nodes.count else { return nodes }
        var generator = SplitMix64(seed: seed ?? UInt64.random(in: .min ... .max))
        var pool = nodes.sorted()
        pool.shuffle(using: &generator)
        return Array(pool.prefix(keep))
    }
}

/// A small, portable PRNG so seeded selections are identical on every platform.
struct SplitMix64: RandomNumberGenerator {
    private var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
