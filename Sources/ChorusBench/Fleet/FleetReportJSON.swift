import ChorusClient
import Foundation

/// The `--json` form of a fleet report: one object, snake_case keys. The headline keys
/// (`nodes`, `replies`, `lost`, `first_reply_ms`, `last_reply_ms`, `replies_per_second`,
/// `broker_rss_bytes`) describe the broadcast scenario and the broker with every node
/// connected; `lost` counts every scenario; `scenarios` has each one in full.
struct FleetReportJSON: Encodable {
    struct Scenario: Encodable {
        var name: String
        var requests: Int
        var expected: Int
        var replies: Int
        var lost: Int
        var failed: Int
        var discoveryFound: Int?
        var discoveryMs: Double?
        var firstReplyMs: Double
        var lastReplyMs: Double
        var p50Ms: Double
        var p90Ms: Double
        var p99Ms: Double
        var repliesPerSecond: Double
        var wallMs: Double
        var brokerMessages: Int?
        var brokerMessagesPerSecond: Double?
        var brokerMessagesSource: String?
        var brokerDropped: Int?
        var nodesReceived: Int?
        var nodesReplied: Int?
        var cpuSeconds: [String: Double]
        var nodeCpuUsPerMessage: Double?
        var brokerCpuUsPerMessage: Double?
        var clientCpuUsPerReply: Double?
    }

    struct Process: Encodable {
        var cpuSeconds: Double?
        var peakRssBytes: Int?
    }

    var date: String
    var machine: String
    var nodes: Int
    var workers: Int
    var connector: String
    var broker: String
    var brokerAddress: String
    var replies: Int
    var lost: Int
    var firstReplyMs: Double
    var lastReplyMs: Double
    var p50Ms: Double
    var p90Ms: Double
    var p99Ms: Double
    var repliesPerSecond: Double
    var brokerMessagesPerSecond: Double?
    var brokerRssBytes: Int?
    var brokerRssBeforeBytes: Int?
    var brokerRssPerConnectionBytes: Double?
    var connectMs: Double
    var workerConnectMs: [Double]
    var processes: [String: Process]
    var scenarios: [Scenario]
    var brokerSummary: String?

    init(_ report: FleetReport) {
        let headline = report.headline
        let summary = headline?.arrivals ?? .empty
        date = ISO8601DateFormatter().string(from: report.date)
        machine = report.machine.description
        nodes = report.nodes
        workers = report.workers
        connector = report.connector
        broker = report.broker.kind.rawValue
        brokerAddress = "\(report.broker.host):\(report.broker.port)"
        replies = headline?.replies ?? 0
        lost = report.lost
        firstReplyMs = Self.rounded(headline?.firstReplyMilliseconds ?? 0)
        lastReplyMs = Self.rounded(headline?.lastReplyMilliseconds ?? 0)
        p50Ms = Self.rounded(summary.p50)
        p90Ms = Self.rounded(summary.p90)
        p99Ms = Self.rounded(summary.p99)
        repliesPerSecond = Self.rounded(headline?.repliesPerSecond ?? 0)
        brokerMessagesPerSecond = report.scenarios.last?.brokerMessagesPerSecond.map(Self.rounded)
        brokerRssBytes = report.brokerRSSConnected
        brokerRssBeforeBytes = report.brokerRSSBefore
        brokerRssPerConnectionBytes = report.brokerRSSPerConnection.map(Self.rounded)
        connectMs = Self.rounded(report.connectMilliseconds)
        workerConnectMs = report.workerConnectMilliseconds.map(Self.rounded)
        var processes: [String: Process] = [:]
        for kind in FleetProcessKind.allCases {
            processes[kind.rawValue] = Process(cpuSeconds: report.cpuSeconds[kind].map(Self.rounded), peakRssBytes: report.peakRSS[kind])
        }
        self.processes = processes
        scenarios = report.scenarios.map { scenario in
            let arrivals = scenario.arrivals
            return Scenario(
                name: scenario.name, requests: scenario.requests, expected: scenario.expected, replies: scenario.replies,
                lost: scenario.lost, failed: scenario.failed, discoveryFound: scenario.discovery?.found,
                discoveryMs: scenario.discovery.map { Self.rounded($0.duration.milliseconds) },
                firstReplyMs: Self.rounded(scenario.firstReplyMilliseconds), lastReplyMs: Self.rounded(scenario.lastReplyMilliseconds),
                p50Ms: Self.rounded(arrivals.p50), p90Ms: Self.rounded(arrivals.p90), p99Ms: Self.rounded(arrivals.p99),
                repliesPerSecond: Self.rounded(scenario.repliesPerSecond), wallMs: Self.rounded(scenario.wall.milliseconds),
                brokerMessages: scenario.costs.brokerMessages, brokerMessagesPerSecond: scenario.brokerMessagesPerSecond.map(Self.rounded),
                brokerMessagesSource: scenario.costs.brokerMessages == nil
                    ? nil : (scenario.costs.brokerMessagesFromBrokerStats ? "broker stats" : "client and node counters"),
                brokerDropped: scenario.costs.brokerDropped, nodesReceived: scenario.costs.nodeCounters?.received,
                nodesReplied: scenario.costs.nodeCounters?.replies,
                cpuSeconds: Dictionary(uniqueKeysWithValues: scenario.costs.cpuSeconds.map { ($0.key.rawValue, Self.rounded($0.value)) }),
                nodeCpuUsPerMessage: scenario.nodeMicrosecondsPerMessage.map(Self.rounded),
                brokerCpuUsPerMessage: scenario.brokerMicrosecondsPerMessage.map(Self.rounded),
                clientCpuUsPerReply: scenario.clientMicrosecondsPerReply.map(Self.rounded))
        }
        brokerSummary = report.brokerSummary
    }

    /// Three decimals are plenty, and keep the line short.
    private static func rounded(_ value: Double) -> Double { (value * 1000).rounded() / 1000 }

    /// The report as one line of JSON.
    static func line(_ report: FleetReport) -> String {
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        guard let data = try? encoder.encode(FleetReportJSON(report)) else { return "{}" }
        return String(decoding: data, as: UTF8.self)
    }
}
