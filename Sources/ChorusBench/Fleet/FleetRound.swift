import Synchronization

/// What one request's replies looked like at the client.
public struct FleetRound: Sendable {
    /// Replies the request should get.
    public var expected: Int
    /// Distinct nodes that replied.
    public var replies: Int
    /// Replies whose status was not OK (0).
    public var failed: Int
    /// When each reply arrived, counted from the moment the request was being sent.
    public var arrivals: LatencySamples
    /// From starting to send until the last reply (or the timeout).
    public var duration: Duration

    /// Expected replies that never came.
    public var lost: Int { max(0, expected - replies) }

    public init(expected: Int, replies: Int, failed: Int, arrivals: LatencySamples, duration: Duration) {
        self.expected = expected
        self.replies = replies
        self.failed = failed
        self.arrivals = arrivals
        self.duration = duration
    }
}

/// Reply arrival times recorded from the client's result callback.
final class ArrivalRecorder: Sendable {
    private let clock = ContinuousClock()
    private let state: Mutex<(start: ContinuousClock.Instant, samples: LatencySamples)>

    init(expected: Int) {
        state = Mutex((ContinuousClock.now, LatencySamples(reservingCapacity: expected)))
    }

    /// Starts the clock again (when discovery ends and the request proper is sent).
    func restart() {
        let now = clock.now
        state.withLock { $0.start = now }
    }

    func record() {
        let now = clock.now
        state.withLock { $0.samples.record(now - $0.start) }
    }

    var samples: LatencySamples { state.withLock { $0.samples } }
}
