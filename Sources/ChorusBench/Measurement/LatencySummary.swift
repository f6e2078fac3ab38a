/// Latency samples of one measurement, in nanoseconds, gathered in any order.
///
/// A value type: each event-loop-confined receiver keeps its own and they are merged at the
/// end (``merge(_:)``), so recording costs one array append and no lock.
public struct LatencySamples: Sendable, Equatable {
    /// The samples, nanoseconds, unsorted.
    public private(set) var nanoseconds: [Int64]

    public init(reservingCapacity capacity: Int = 0) {
        nanoseconds = []
        nanoseconds.reserveCapacity(capacity)
    }

    public init(nanoseconds: [Int64]) {
        self.nanoseconds = nanoseconds
    }

    public var count: Int { nanoseconds.count }

    /// Records one latency; a negative value (clock misuse) is recorded as 0.
    public mutating func record(nanoseconds value: Int64) {
        nanoseconds.append(max(0, value))
    }

    /// Records one `Duration`.
    public mutating func record(_ duration: Duration) {
        let (seconds, attoseconds) = duration.components
        record(nanoseconds: seconds * 1_000_000_000 + attoseconds / 1_000_000_000)
    }

    /// Appends every sample of `other`.
    public mutating func merge(_ other: LatencySamples) {
        nanoseconds.append(contentsOf: other.nanoseconds)
    }

    /// The percentiles of the samples gathered so far.
    public var summary: LatencySummary { LatencySummary(nanoseconds: nanoseconds) }
}

/// The distribution of a set of latencies: count, mean, minimum, p50, p90, p99, p99.9 and
/// maximum. Every time is in **milliseconds** (a `Double`, so sub-millisecond values keep
/// their precision), which is also how it encodes to JSON.
///
/// Percentiles use the nearest-rank method on the sorted samples: pN is the smallest sample
/// with at least N % of all samples at or below it, so p100 is the maximum and every value
/// reported was actually observed. An empty set has count 0 and every time 0.
public struct LatencySummary: Sendable, Equatable, Codable {
    /// Number of samples.
    public var count: Int
    /// Arithmetic mean, ms.
    public var mean: Double
    /// Smallest sample, ms.
    public var min: Double
    /// Median, ms.
    public var p50: Double
    /// 90th percentile, ms.
    public var p90: Double
    /// 99th percentile, ms.
    public var p99: Double
    /// 99.9th percentile, ms.
    public var p999: Double
    /// Largest sample, ms.
    public var max: Double

    /// The empty summary (no samples).
    public static let empty = LatencySummary(count: 0, mean: 0, min: 0, p50: 0, p90: 0, p99: 0, p999: 0, max: 0)

    public init(count: Int, mean: Double, min: Double, p50: Double, p90: Double, p99: Double, p999: Double, max: Double) {
        self.count = count
        self.mean = mean
        self.min = min
        self.p50 = p50
        self.p90 = p90
        self.p99 = p99
        self.p999 = p999
        self.max = max
    }

    /// Summarises samples given in nanoseconds (sorts a copy).
    public init(nanoseconds samples: [Int64]) {
        guard !samples.isEmpty else {
            self = .empty
            return
        }
        let sorted = samples.sorted()
        let total = sorted.reduce(0.0) { $0 + Double($1) }
        func milliseconds(_ value: Int64) -> Double { Double(value) / 1_000_000 }
        func rank(_ percent: Double) -> Double {
            milliseconds(sorted[Self.nearestRankIndex(percent: percent, count: sorted.count)])
        }
        self.init(
            count: sorted.count, mean: total / Double(sorted.count) / 1_000_000, min: milliseconds(sorted[0]),
            p50: rank(50), p90: rank(90), p99: rank(99), p999: rank(99.9), max: milliseconds(sorted[sorted.count - 1]))
    }

    /// The 0-based index of the nearest-rank `percent` percentile among `count` sorted samples.
    public static func nearestRankIndex(percent: Double, count: Int) -> Int {
        precondition(count > 0, "no samples")
        let rank = Int((percent / 100 * Double(count)).rounded(.up))
        return Swift.min(Swift.max(rank, 1), count) - 1
    }
}
