import ChorusServer
import Synchronization

/// The summed message counters of the simulated nodes in one process (each node keeps its
/// own `ServerStatistics`, as `chorus server` does).
public struct FleetNodeCounters: Sendable, Codable, Equatable {
    /// Messages the nodes received from the broker.
    public var received = 0
    /// Requests that passed a node's filter.
    public var passed = 0
    /// Requests a node's filter (or collective) turned away.
    public var filtered = 0
    /// Messages the security provider or the node's limits refused.
    public var unvalidated = 0
    /// Requests older than their TTL.
    public var expired = 0
    /// Replies the nodes sent.
    public var replies = 0

    public init() {}

    /// Adds one node's counters.
    public mutating func add(_ statistics: ServerStatistics) {
        received += statistics.total.load(ordering: .relaxed)
        passed += statistics.passed.load(ordering: .relaxed)
        filtered += statistics.filtered.load(ordering: .relaxed)
        unvalidated += statistics.unvalidated.load(ordering: .relaxed)
        expired += statistics.ttlExpired.load(ordering: .relaxed)
        replies += statistics.replies.load(ordering: .relaxed)
    }

    public static func + (lhs: FleetNodeCounters, rhs: FleetNodeCounters) -> FleetNodeCounters {
        var sum = lhs
        sum.received += rhs.received
        sum.passed += rhs.passed
        sum.filtered += rhs.filtered
        sum.unvalidated += rhs.unvalidated
        sum.expired += rhs.expired
        sum.replies += rhs.replies
        return sum
    }

    public static func - (lhs: FleetNodeCounters, rhs: FleetNodeCounters) -> FleetNodeCounters {
        var difference = lhs
        difference.received -= rhs.received
        difference.passed -= rhs.passed
        difference.filtered -= rhs.filtered
        difference.unvalidated -= rhs.unvalidated
        difference.expired -= rhs.expired
        difference.replies -= rhs.replies
        return difference
    }
}
