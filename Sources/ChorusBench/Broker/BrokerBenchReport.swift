/// One broker's figures in one scenario.
public struct BrokerResult: Sendable, Codable, Equatable {
    /// `chorus`, `rabbitmq` or `activemq`.
    public var broker: String
    /// Deliveries/s (fan-out), messages/s (many-to-one, throughput), connections/s (idle).
    public var rate: Double
    /// Send-to-receipt latency; for idle connections, the CONNECT + SUBSCRIBE handshake time.
    public var latency: LatencySummary
    public var sent: Int
    /// Deliveries expected (sent × receivers), received once each, lost, and received twice
    /// or out of order.
    public var expected: Int
    public var received: Int
    public var lost: Int
    public var duplicates: Int
    /// From the first send to the last delivery (idle: to open every connection).
    public var seconds: Double
    /// The broker process's CPU time (user + system) during the scenario.
    public var brokerCPUSeconds: Double?
    /// The broker process's resident memory at the end of the scenario (idle: with every
    /// connection open).
    public var brokerResidentBytes: Int?
    /// Idle connections only.
    public var idle: IdleFigures?
    /// Why the scenario failed or is incomplete, if it did or is.
    public var error: String?

    /// Broker CPU microseconds per delivery (idle: per connection opened).
    public var brokerCPUMicrosecondsPerItem: Double?

    public init(
        broker: String, rate: Double, latency: LatencySummary, sent: Int = 0, expected: Int = 0, received: Int = 0,
        lost: Int = 0, duplicates: Int = 0, seconds: Double, brokerCPUSeconds: Double?, brokerResidentBytes: Int?,
        idle: IdleFigures? = nil, error: String? = nil
    ) {
        self.broker = broker
        self.rate = rate
        self.latency = latency
        self.sent = sent
        self.expected = expected
        self.received = received
        self.lost = lost
        self.duplicates = duplicates
        self.seconds = seconds
        self.brokerCPUSeconds = brokerCPUSeconds
        self.brokerResidentBytes = brokerResidentBytes
        self.idle = idle
        self.error = error
        let items = idle?.opened ?? received
        brokerCPUMicrosecondsPerItem = brokerCPUSeconds.flatMap { items > 0 ? $0 / Double(items) * 1e6 : nil }
    }
}

/// The memory figures of the idle-connection scenario.
public struct IdleFigures: Sendable, Codable, Equatable {
    public var requested: Int
    public var opened: Int
    public var residentBefore: Int?
    public var residentOpen: Int?
    public var residentAfterClose: Int?
    /// (resident with them open − resident before) / opened.
    public var bytesPerConnection: Double?
}

/// Chorus compared with one peer in one scenario: chorus's figure divided by the peer's.
public struct PeerRatio: Sendable, Codable, Equatable {
    public var peer: String
    /// Rate: above 1 = chorus is faster.
    public var rate: Double?
    /// p99 latency: below 1 = chorus answers sooner.
    public var p99: Double?
    /// Broker CPU per delivery (or connection): below 1 = chorus spends less.
    public var cpuPerItem: Double?
    /// Idle only, resident bytes per connection: below 1 = chorus needs less memory.
    public var bytesPerConnection: Double?
}

/// One scenario, every broker.
public struct ScenarioReport: Sendable, Codable, Equatable {
    /// `idle`, `fanout`, `many-to-one`, `throughput`.
    public var scenario: String
    /// Connections, subscribers, publishers or pairs.
    public var size: Int
    public var title: String
    /// What ``BrokerResult/rate`` counts.
    public var unit: String
    /// Messages in flight per publisher (0 for idle).
    public var window: Int
    public var results: [BrokerResult]
    /// Chorus over each peer (empty without a chorus result).
    public var ratios: [PeerRatio]

    public init(scenario: BrokerScenario, window: Int, results: [BrokerResult]) {
        self.scenario = scenario.name
        size = scenario.size
        title = scenario.title
        unit = scenario.unit
        self.window = window
        self.results = results
        ratios = Self.ratios(results)
    }

    static func ratios(_ results: [BrokerResult]) -> [PeerRatio] {
        guard let chorus = results.first(where: { $0.broker == BrokerTarget.Kind.chorus.rawValue }), chorus.error == nil else { return [] }
        func divide(_ a: Double?, _ b: Double?) -> Double? {
            guard let a, let b, b > 0, a.isFinite, b.isFinite else { return nil }
            return a / b
        }
        return results.filter { $0.broker != chorus.broker }.map { peer in
            PeerRatio(
                peer: peer.broker,
                rate: divide(chorus.rate, peer.rate),
                p99: divide(chorus.latency.p99, peer.latency.p99),
                cpuPerItem: divide(chorus.brokerCPUMicrosecondsPerItem, peer.brokerCPUMicrosecondsPerItem),
                bytesPerConnection: divide(chorus.idle?.bytesPerConnection, peer.idle?.bytesPerConnection))
        }
    }
}

/// A whole `chorus bench broker` run: where, when, with what, and every scenario.
public struct BrokerBenchReport: Sendable, Codable, Equatable {
    /// UTC, ISO 8601.
    public var date: String
    public var machine: MachineDescription
    public var settings: BrokerBenchSettings
    public var brokers: [BrokerTarget]
    public var scenarios: [ScenarioReport]
    /// Deliveries lost over every scenario and broker.
    public var lost: Int
    /// Scenarios that failed or are incomplete for some broker (their `error`).
    public var errors: Int

    public init(date: String, machine: MachineDescription, settings: BrokerBenchSettings, brokers: [BrokerTarget], scenarios: [ScenarioReport]) {
        self.date = date
        self.machine = machine
        self.settings = settings
        self.brokers = brokers
        self.scenarios = scenarios
        lost = scenarios.reduce(0) { $0 + $1.results.reduce(0) { $0 + $1.lost } }
        errors = scenarios.reduce(0) { $0 + $1.results.filter { $0.error != nil }.count }
    }
}


