import Foundation

/// The text form of a ``BrokerBenchReport``: one table per scenario, brokers as rows, the
/// chorus/peer ratio in the last column. Pure functions of the report.
public enum BrokerBenchTables {
    public static func render(_ report: BrokerBenchReport) -> String {
        var lines = [
            "chorus bench broker — \(report.date)",
            "machine: \(report.machine)",
            "brokers: " + report.brokers.map(\.description).joined(separator: "; "),
            "settings: \(report.settings.seconds) s per measurement, \(report.settings.payloadBytes)-byte bodies, "
                + "\(report.settings.threads) generator threads, "
                + (report.settings.pacedDeliveriesPerSecond.map { "paced at \(grouped($0)) deliveries/s per scenario" }
                    ?? "saturated (as fast as each publisher's window allows)"),
        ]
        for scenario in report.scenarios {
            lines.append("")
            lines.append(scenario.title + (scenario.window > 0 ? " (window \(scenario.window) per publisher)" : ""))
            lines.append(contentsOf: scenario.scenario == "idle" ? idleTable(scenario) : flowTable(scenario))
            for result in scenario.results {
                if let error = result.error { lines.append("  \(result.broker): \(error)") }
            }
        }
        lines.append("")
        lines.append("lost: \(report.lost) deliveries over every scenario; \(report.errors) failed or incomplete measurements")
        return lines.joined(separator: "\n")
    }

    /// One line per broker as it finishes, for progress output.
    public static func progressLine(_ result: BrokerResult, unit: String) -> String {
        if let idle = result.idle {
            let perConnection = idle.bytesPerConnection.map { String(format: "%.1f KiB/connection", $0 / 1024) } ?? "memory not sampled"
            return "\(idle.opened)/\(idle.requested) open, \(perConnection)" + (result.error.map { " — \($0)" } ?? "")
        }
        return "\(grouped(result.rate)) \(unit), p50 \(milliseconds(result.latency.p50)) ms, p99 \(milliseconds(result.latency.p99)) ms, "
            + "lost \(result.lost)" + (result.error.map { " — \($0)" } ?? "")
    }

    static func flowTable(_ scenario: ScenarioReport) -> [String] {
        let header = ["broker", scenario.unit, "p50 ms", "p90 ms", "p99 ms", "max ms", "lost", "CPU s", "CPU µs/msg", "RSS MiB",
                      "chorus/peer"]
        let rows = scenario.results.map { result -> [String] in
            [
                result.broker, grouped(result.rate), milliseconds(result.latency.p50), milliseconds(result.latency.p90),
                milliseconds(result.latency.p99), milliseconds(result.latency.max), String(result.lost),
                result.brokerCPUSeconds.map { String(format: "%.2f", $0) } ?? "-",
                result.brokerCPUMicrosecondsPerItem.map { String(format: "%.1f", $0) } ?? "-",
                result.brokerResidentBytes.map { String(format: "%.1f", Double($0) / 1_048_576) } ?? "-",
                [ratio(scenario, result) { $0.rate }.map { String(format: "%.2f× rate", $0) },
                 ratio(scenario, result) { $0.cpuPerItem }.map { String(format: "%.2f× CPU/msg", $0) }]
                    .compactMap { $0 }.joined(separator: ", "),
            ]
        }
        return layout([header] + rows)
    }

    static func idleTable(_ scenario: ScenarioReport) -> [String] {
        let header = ["broker", "open", "conn/s", "p50 ms", "p99 ms", "RSS before MiB", "RSS open MiB", "KiB/conn",
                      "RSS closed MiB", "CPU s", "chorus/peer"]
        let rows = scenario.results.map { result -> [String] in
            let idle = result.idle
            func mebibytes(_ value: Int?) -> String { value.map { String(format: "%.1f", Double($0) / 1_048_576) } ?? "-" }
            return [
                result.broker, "\(idle?.opened ?? 0)/\(idle?.requested ?? 0)", grouped(result.rate),
                milliseconds(result.latency.p50), milliseconds(result.latency.p99), mebibytes(idle?.residentBefore),
                mebibytes(idle?.residentOpen), idle?.bytesPerConnection.map { String(format: "%.1f", $0 / 1024) } ?? "-",
                mebibytes(idle?.residentAfterClose), result.brokerCPUSeconds.map { String(format: "%.2f", $0) } ?? "-",
                ratio(scenario, result) { $0.bytesPerConnection }.map { String(format: "%.2f× memory", $0) } ?? "",
            ]
        }
        return layout([header] + rows)
    }

    private static func ratio(_ scenario: ScenarioReport, _ result: BrokerResult, _ pick: (PeerRatio) -> Double?) -> Double? {
        scenario.ratios.first { $0.peer == result.broker }.flatMap(pick)
    }

    /// Columns padded to their widest cell; the first left-aligned, the rest right-aligned.
    static func layout(_ rows: [[String]]) -> [String] {
        guard let columns = rows.map(\.count).max() else { return [] }
        let widths = (0..<columns).map { column in rows.map { column < $0.count ? $0[column].count : 0 }.max() ?? 0 }
        return rows.map { row in
            row.enumerated().map { column, cell in
                let pad = String(repeating: " ", count: widths[column] - cell.count)
                return column == 0 ? cell + pad : pad + cell
            }.joined(separator: "  ").replacingOccurrences(of: "\\s+$", with: "", options: .regularExpression)
        }
    }

    /// A rate with thousands separators and no decimals.
    static func grouped(_ value: Double) -> String {
        guard value.isFinite else { return "-" }
        let digits = String(Int(value.rounded()))
        var out = ""
        for (index, character) in digits.reversed().enumerated() {
            if index > 0 && index % 3 == 0 { out.append(",") }
            out.append(character)
        }
        return String(out.reversed())
    }

    /// Milliseconds with precision that suits the magnitude.
    static func milliseconds(_ value: Double) -> String {
        if value >= 100 { return String(format: "%.0f", value) }
        if value >= 10 { return String(format: "%.1f", value) }
        return String(format: "%.2f", value)
    }
}
