/// The shapes of load `chorus bench broker` puts on a broker.
public enum BrokerScenario: Sendable, Hashable, Codable {
    /// `count` idle connections (CONNECTed, one topic subscription each, no heart-beats):
    /// the broker's resident memory per connection.
    case idle(connections: Int)
    /// One publisher, one `/topic/…`, `subscribers` subscribers: deliveries per second.
    case fanOut(subscribers: Int)
    /// `publishers` connections sending to one `/queue/…` read by one consumer
    /// (MCollective's replies): messages per second.
    case manyToOne(publishers: Int)
    /// `pairs` publisher/consumer pairs, each on its own `/queue/…`: messages per second.
    case throughput(pairs: Int)

    /// Short name, as in `--scenarios` and the JSON: `idle`, `fanout`, `many-to-one`, `throughput`.
    public var name: String {
        switch self {
        case .idle: return "idle"
        case .fanOut: return "fanout"
        case .manyToOne: return "many-to-one"
        case .throughput: return "throughput"
        }
    }

    /// The scenario's size: connections, subscribers, publishers or pairs.
    public var size: Int {
        switch self {
        case .idle(let count), .fanOut(let count), .manyToOne(let count), .throughput(let count): return count
        }
    }

    /// A one-line title for the table.
    public var title: String {
        switch self {
        case .idle(let count): return "idle connections: \(count) CONNECTed, one subscription each, heart-beats off"
        case .fanOut(let count): return "fan-out: 1 publisher → 1 topic → \(count) subscriber\(count == 1 ? "" : "s")"
        case .manyToOne(let count): return "many-to-one: \(count) publishers → 1 queue → 1 consumer"
        case .throughput(let count): return "throughput: \(count) publisher/consumer pair\(count == 1 ? "" : "s"), one queue each"
        }
    }

    /// What the rate counts.
    public var unit: String {
        switch self {
        case .idle: return "connections/s"
        case .fanOut: return "deliveries/s"
        case .manyToOne, .throughput: return "messages/s"
        }
    }
}

/// How hard and how long `chorus bench broker` pushes.
public struct BrokerBenchSettings: Sendable, Codable, Equatable {
    /// Seconds each message scenario publishes, per broker.
    public var seconds: Double = 5
    /// Seconds without any delivery after which the drain gives up and counts the rest lost.
    public var drainSeconds: Double = 5
    /// Body bytes per message (MCollective requests and replies are ~0.5–2 KB).
    public var payloadBytes: Int = 512
    /// Fan-out: deliveries in flight (window = this / subscribers messages, at least 10, so
    /// that even a large fan-out is not a message-by-message ping-pong).
    public var fanOutInFlight: Int = 2000
    /// Many-to-one: messages in flight over all publishers (each gets this / publishers, at least 1).
    public var manyToOneInFlight: Int = 1000
    /// Throughput: messages in flight per pair.
    public var pairWindow: Int = 200
    /// Paced mode: deliveries per second each message scenario offers, spread evenly over
    /// its publishers (still within their windows); nil = saturate (publish as fast as the
    /// windows allow). Paced runs give every broker the same load, so their latencies compare
    /// like with like; saturated runs give the rates.
    public var pacedDeliveriesPerSecond: Double?
    /// Idle: seconds to let the broker settle before each memory reading.
    public var settleSeconds: Double = 2
    /// Event-loop threads of the load generator.
    public var threads: Int = 2
    /// CONNECT handshakes in progress at once.
    public var connectConcurrency: Int = 100
    /// Local addresses to spread connections over (empty: the kernel's choice).
    public var sourceAddresses: [String] = []

    public init() {}

    /// Paced mode: nanoseconds between one publisher's messages in `scenario`; nil = saturate.
    public func interval(for scenario: BrokerScenario) -> Int64? {
        guard let paced = pacedDeliveriesPerSecond, paced > 0 else { return nil }
        let deliveriesPerMessage: Int
        let publishers: Int
        switch scenario {
        case .idle: return nil
        case .fanOut(let subscribers): (deliveriesPerMessage, publishers) = (subscribers, 1)
        case .manyToOne(let count): (deliveriesPerMessage, publishers) = (1, count)
        case .throughput(let pairs): (deliveriesPerMessage, publishers) = (1, pairs)
        }
        return Int64((1e9 * Double(deliveriesPerMessage * publishers) / paced).rounded())
    }

    /// The window (messages in flight per publisher) a scenario's publishers get.
    public func window(for scenario: BrokerScenario) -> Int {
        switch scenario {
        case .idle: return 0
        case .fanOut(let subscribers): return max(10, fanOutInFlight / max(1, subscribers))
        case .manyToOne(let publishers): return max(1, manyToOneInFlight / max(1, publishers))
        case .throughput: return max(1, pairWindow)
        }
    }
}
