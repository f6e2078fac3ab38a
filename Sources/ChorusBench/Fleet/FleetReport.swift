import Foundation

/// Everything one `chorus bench fleet` run measured.
public struct FleetReport: Sendable {
    public var date: Date
    public var machine: MachineDescription
    public var nodes: Int
    public var workers: Int
    public var connector: String
    public var broker: BrokerTarget
    /// Whether the bench started the broker (`chorus broker`) itself.
    public var brokerStarted: Bool
    /// From starting the workers until every node was connected and subscribed (ms).
    public var connectMilliseconds: Double
    /// Each worker's own time from its first connection attempt until all its nodes served (ms).
    public var workerConnectMilliseconds: [Double]
    /// The broker's resident memory before the nodes connected, and with all of them
    /// connected and idle (before any request).
    public var brokerRSSBefore: Int?
    public var brokerRSSConnected: Int?
    /// The readiness check: one broadcast every node must answer before the scenarios.
    public var warmUp: FleetRound
    public var scenarios: [FleetScenarioResult]
    /// CPU seconds over the whole run, per process kind.
    public var cpuSeconds: [FleetProcessKind: Double]
    /// The largest resident set seen, per process kind (workers: the largest worker).
    public var peakRSS: [FleetProcessKind: Int]
    /// The Chorus broker's own totals at the end ("… messages in, … out, … dropped").
    public var brokerSummary: String?

    /// Broker memory per idle connection: the growth from no nodes to all nodes, per node.
    public var brokerRSSPerConnection: Double? {
        guard let before = brokerRSSBefore, let connected = brokerRSSConnected, nodes > 0 else { return nil }
        return Double(connected - before) / Double(nodes)
    }

    /// The scenario whose figures head the report: the broadcast.
    public var headline: FleetScenarioResult? { scenarios.first }

    /// Replies lost in every scenario together (must be 0).
    public var lost: Int { scenarios.reduce(0) { $0 + $1.lost } }

    /// The report for people: tables of the scenarios and the processes' costs.
    public var text: String { FleetReportText.render(self) }

    /// The report as one line of JSON (`--json`).
    public var jsonLine: String { FleetReportJSON.line(self) }
}
