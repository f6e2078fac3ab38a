import ChorusClient
import Foundation

/// The human form of a fleet report: what ran, how long connecting took, one table row per
/// scenario, the processes' costs, and the verdict on lost replies.
enum FleetReportText {
    static func render(_ report: FleetReport) -> String {
        var lines: [String] = []
        let brokerName = report.brokerStarted ? "chorus broker (started by the bench)" : report.broker.kind.rawValue
        lines.append(
            "chorus bench fleet: \(report.nodes) simulated nodes in \(report.workers) worker process(es), connector \(report.connector), "
                + "broker \(brokerName) at \(report.broker.host):\(report.broker.port)")
        lines.append("machine: \(report.machine); \(ISO8601DateFormatter().string(from: report.date))")
        let perWorker = report.workerConnectMilliseconds.map { milliseconds($0) }.joined(separator: ", ")
        lines.append("connect: every node connected and subscribed after \(milliseconds(report.connectMilliseconds)) (per worker: \(perWorker))")
        if let before = report.brokerRSSBefore, let connected = report.brokerRSSConnected, let per = report.brokerRSSPerConnection {
            lines.append(
                "broker memory: \(bytes(before)) with no nodes, \(bytes(connected)) with \(report.nodes) idle connections: \(bytes(Int(per.rounded()))) per connection")
        }
        lines.append("")
        let header = ["scenario", "requests", "expected", "replies", "lost", "first", "last", "p50", "p90", "p99", "replies/s", "broker msg/s"]
        var rows: [[String]] = [header]
        for scenario in report.scenarios {
            let arrivals = scenario.arrivals
            rows.append([
                scenario.name, String(scenario.requests), String(scenario.expected), String(scenario.replies), String(scenario.lost),
                milliseconds(scenario.firstReplyMilliseconds), milliseconds(scenario.lastReplyMilliseconds),
                milliseconds(arrivals.p50), milliseconds(arrivals.p90), milliseconds(arrivals.p99),
                rate(scenario.repliesPerSecond), scenario.brokerMessagesPerSecond.map(rate) ?? "-",
            ])
        }
        lines.append(contentsOf: table(rows))
        for scenario in report.scenarios {
            if let discovery = scenario.discovery {
                lines.append(
                    "  \(scenario.name): discovery found \(discovery.found) of \(discovery.expected) nodes in \(milliseconds(discovery.duration.milliseconds)) (quiet window included); reply times count from the request after it")
            }
        }
        lines.append("  reply times count from the moment the request was being sent; first/last are the median over rounds")
        if report.scenarios.contains(where: { $0.costs.brokerMessages != nil && !$0.costs.brokerMessagesFromBrokerStats }) {
            lines.append("  broker msg/s: MESSAGEs into and out of the broker, counted by the clients and the nodes")
        }
        lines.append("")
        var costs: [[String]] = [["process", "CPU s (run)", "peak RSS"] + report.scenarios.map { "CPU s: \($0.name)" }]
        for kind in FleetProcessKind.allCases {
            let label = kind == .workers ? "workers (\(report.workers), largest)" : kind.rawValue
            costs.append(
                [label, report.cpuSeconds[kind].map { decimal($0, 2) } ?? "-", report.peakRSS[kind].map(bytes) ?? "-"]
                    + report.scenarios.map { scenario in scenario.costs.cpuSeconds[kind].map { decimal($0, 2) } ?? "-" })
        }
        lines.append(contentsOf: table(costs))
        lines.append("")
        var unit: [[String]] = [["CPU per message", "nodes µs/request", "broker µs/message", "client µs/reply"]]
        for scenario in report.scenarios {
            unit.append([
                scenario.name, scenario.nodeMicrosecondsPerMessage.map { decimal($0, 1) } ?? "-",
                scenario.brokerMicrosecondsPerMessage.map { decimal($0, 1) } ?? "-",
                scenario.clientMicrosecondsPerReply.map { decimal($0, 1) } ?? "-",
            ])
        }
        lines.append(contentsOf: table(unit))
        lines.append("  (nodes: per message a node received; broker: per MESSAGE in or out; client: per reply, discovery's included)")
        let dropped = report.scenarios.compactMap(\.costs.brokerDropped).reduce(0, +)
        if report.scenarios.contains(where: { $0.costs.brokerDropped != nil }) { lines.append("broker dropped during the scenarios: \(dropped)") }
        if let summary = report.brokerSummary { lines.append("broker: \(summary)") }
        lines.append("")
        lines.append(report.lost == 0 ? "lost replies: 0" : "LOST REPLIES: \(report.lost) (see the lost column)")
        return lines.joined(separator: "\n")
    }

    /// Left-aligned first column, right-aligned numbers, two spaces between columns.
    static func table(_ rows: [[String]]) -> [String] {
        guard let columns = rows.map(\.count).max() else { return [] }
        var widths = [Int](repeating: 0, count: columns)
        for row in rows {
            for (index, cell) in row.enumerated() { widths[index] = max(widths[index], cell.count) }
        }
        return rows.map { row in
            row.enumerated().map { index, cell in
                let padding = String(repeating: " ", count: widths[index] - cell.count)
                return index == 0 ? cell + padding : padding + cell
            }.joined(separator: "  ")
        }
    }

    static func milliseconds(_ value: Double) -> String { "\(decimal(value, value < 10 ? 2 : 1)) ms" }

    static func rate(_ value: Double) -> String { decimal(value, 0) }

    static func bytes(_ value: Int) -> String {
        let magnitude = abs(value)
        if magnitude >= 1 << 30 { return "\(decimal(Double(value) / Double(1 << 30), 2)) GiB" }
        if magnitude >= 1 << 20 { return "\(decimal(Double(value) / Double(1 << 20), 1)) MiB" }
        if magnitude >= 1 << 10 { return "\(decimal(Double(value) / Double(1 << 10), 1)) KiB" }
        return "\(value) B"
    }

    /// `value` with `places` decimals, without Foundation's locale-dependent formatting.
    static func decimal(_ value: Double, _ places: Int) -> String {
        guard value.isFinite else { return "-" }
        var scale = 1.0
        for _ in 0..<places { scale *= 10 }
        let scaled = (abs(value) * scale).rounded()
        let whole = Int(scaled / scale)
        let fraction = Int(scaled - Double(whole) * scale)
        let sign = value < 0 && scaled > 0 ? "-" : ""
        guard places > 0 else { return "\(sign)\(whole)" }
        let digits = String(fraction)
        return "\(sign)\(whole).\(String(repeating: "0", count: places - digits.count))\(digits)"
    }
}
