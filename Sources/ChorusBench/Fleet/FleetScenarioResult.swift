import ChorusClient

/// How discovery went in a scenario that used it.
public struct FleetDiscovery: Sendable {
    /// Nodes that should have been found.
    public var expected: Int
    /// Distinct nodes that answered the discovery ping.
    public var found: Int
    /// From sending the discovery ping until discovery ended (the quiet window included).
    public var duration: Duration

    /// Nodes discovery did not find.
    public var missed: Int { max(0, expected - found) }
}

/// What the bench measured around one scenario besides the replies.
public struct FleetScenarioCosts: Sendable {
    /// CPU seconds each process (kind) spent during the scenario.
    public var cpuSeconds: [FleetProcessKind: Double] = [:]
    /// The simulated nodes' counters over the scenario.
    public var nodeCounters: FleetNodeCounters?
    /// MESSAGE frames the broker received plus those it delivered (its own counters for a
    /// Chorus broker; otherwise the client's and nodes' counts of what went through it).
    public var brokerMessages: Int?
    /// Whether `brokerMessages` comes from the broker's own statistics.
    public var brokerMessagesFromBrokerStats = false
    /// Messages the broker dropped (its own statistics; nil without them).
    public var brokerDropped: Int?

    public init() {}
}

/// The processes whose CPU time and memory the bench reports.
public enum FleetProcessKind: String, Sendable, CaseIterable, Codable {
    case broker
    /// All fleet worker processes together.
    case workers
    /// The bench process itself, which runs the RPC clients.
    case client
}

/// One scenario's outcome.
public struct FleetScenarioResult: Sendable {
    public var name: String
    /// RPC requests sent (a directed request to k nodes counts k; discovery counts one).
    public var requests: Int
    public var rounds: [FleetRound] = []
    public var discovery: FleetDiscovery?
    /// Rounds ran concurrently (several clients) rather than one after another.
    public var concurrent = false
    /// The whole scenario, discovery included.
    public var wall: Duration = .zero
    public var costs = FleetScenarioCosts()

    public init(name: String, requests: Int) {
        self.name = name
        self.requests = requests
    }

    public var expected: Int { rounds.reduce(0) { $0 + $1.expected } }
    public var replies: Int { rounds.reduce(0) { $0 + $1.replies } }
    public var failed: Int { rounds.reduce(0) { $0 + $1.failed } }
    /// Expected replies that never came, plus nodes discovery missed.
    public var lost: Int { rounds.reduce(0) { $0 + $1.lost } + (discovery?.missed ?? 0) }

    /// Every reply's arrival time, counted from its own request.
    public var arrivals: LatencySummary {
        var all = LatencySamples()
        for round in rounds { all.merge(round.arrivals) }
        return all.summary
    }

    /// The median over rounds of the first reply's arrival (ms).
    public var firstReplyMilliseconds: Double { Self.median(rounds.map { $0.arrivals.summary.min }) }
    /// The median over rounds of the last reply's arrival (ms).
    public var lastReplyMilliseconds: Double { Self.median(rounds.map { $0.arrivals.summary.max }) }

    /// Replies per second at the client: over the wall time when clients ran at once, else
    /// over the sum of the times from each request to its last reply.
    public var repliesPerSecond: Double {
        let seconds = concurrent
            ? seconds(wall)
            : rounds.reduce(0.0) { $0 + $1.arrivals.summary.max / 1000 }
        return seconds > 0 ? Double(replies) / seconds : 0
    }

    /// Broker messages (in + out) per second of the scenario's wall time.
    public var brokerMessagesPerSecond: Double? {
        guard let messages = costs.brokerMessages, seconds(wall) > 0 else { return nil }
        return Double(messages) / seconds(wall)
    }

    /// CPU microseconds the simulated nodes spent per message they received.
    public var nodeMicrosecondsPerMessage: Double? {
        guard let cpu = costs.cpuSeconds[.workers], let received = costs.nodeCounters?.received, received > 0 else { return nil }
        return cpu * 1e6 / Double(received)
    }

    /// CPU microseconds the broker spent per message in or out.
    public var brokerMicrosecondsPerMessage: Double? {
        guard let cpu = costs.cpuSeconds[.broker], let messages = costs.brokerMessages, messages > 0 else { return nil }
        return cpu * 1e6 / Double(messages)
    }

    /// CPU microseconds this process (the clients) spent per reply it received, discovery's included.
    public var clientMicrosecondsPerReply: Double? {
        let received = replies + (discovery?.found ?? 0)
        guard let cpu = costs.cpuSeconds[.client], received > 0 else { return nil }
        return cpu * 1e6 / Double(received)
    }

    private static func median(_ values: [Double]) -> Double {
        guard !values.isEmpty else { return 0 }
        let sorted = values.sorted()
        return sorted[(sorted.count - 1) / 2]
    }
}

private func seconds(_ duration: Duration) -> Double { duration.milliseconds / 1000 }
