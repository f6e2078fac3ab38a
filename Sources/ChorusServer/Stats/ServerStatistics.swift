#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Synchronization

/// The daemon's message counters (MCollective's runner stats), shared by the pipeline and
/// `rpcutil daemon_stats`. Lock-free: one atomic per counter.
public final class ServerStatistics: Sendable {
    /// Every message received from the broker.
    public let total = Atomic<Int>(0)
    /// Messages whose security envelope verified.
    public let validated = Atomic<Int>(0)
    /// Messages rejected by the security provider (bad hash, garbage, bad caller id).
    public let unvalidated = Atomic<Int>(0)
    /// Requests that passed the filter.
    public let passed = Atomic<Int>(0)
    /// Requests not targeted at this node.
    public let filtered = Atomic<Int>(0)
    /// Requests older than their TTL.
    public let ttlExpired = Atomic<Int>(0)
    /// Replies sent.
    public let replies = Atomic<Int>(0)
    /// Requests for an agent this node does not have.
    public let unknownAgent = Atomic<Int>(0)
    /// Actions that ran past their DDL timeout.
    public let timeouts = Atomic<Int>(0)
    /// Requests the authorization policy refused (Chorus; MCollective does not count them).
    public let unauthorized = Atomic<Int>(0)
    /// Requests refused because their id was seen before within its TTL (Chorus; also counted
    /// as `unvalidated`, as a failed security check).
    public let replayed = Atomic<Int>(0)
    /// Seconds since the epoch when the daemon started.
    public let startTime: Int

    public init(startTime: Int) { self.startTime = startTime }

    /// A consistent-enough copy of every counter plus process CPU times.
    public struct Snapshot: Sendable, Equatable {
        public var total, validated, unvalidated, passed, filtered, ttlExpired, replies, unknownAgent, timeouts: Int
        public var unauthorized, replayed: Int
        public var startTime: Int
        public var userTime: Double
        public var systemTime: Double
        public var pid: Int32
    }

    public var snapshot: Snapshot {
        var usage = rusage()
        #if canImport(Glibc)
        getrusage(RUSAGE_SELF.rawValue, &usage)
        #else
        getrusage(RUSAGE_SELF, &usage)
        #endif
        func seconds(_ t: timeval) -> Double { Double(t.tv_sec) + Double(t.tv_usec) / 1_000_000 }
        return Snapshot(
            total: total.load(ordering: .relaxed), validated: validated.load(ordering: .relaxed),
            unvalidated: unvalidated.load(ordering: .relaxed), passed: passed.load(ordering: .relaxed),
            filtered: filtered.load(ordering: .relaxed), ttlExpired: ttlExpired.load(ordering: .relaxed),
            replies: replies.load(ordering: .relaxed), unknownAgent: unknownAgent.load(ordering: .relaxed),
            timeouts: timeouts.load(ordering: .relaxed), unauthorized: unauthorized.load(ordering: .relaxed),
            replayed: replayed.load(ordering: .relaxed), startTime: startTime,
            userTime: seconds(usage.ru_utime), systemTime: seconds(usage.ru_stime), pid: getpid())
    }
}
