import ChorusClient
import ChorusCore
import Foundation
import RubyMarshal

/// What `chorus puppet` prints (the original `mco puppet` application's output), as pure
/// functions of the replies.
enum PuppetRenderer {
    // MARK: status

    /// One line per node, the sender right-aligned: the status message, or the failure in red.
    static func singleField(_ results: [RPCResult], field: String, style: TerminalStyle) -> String {
        guard !results.isEmpty else { return "" }
        let width = (results.map(\.sender.count).max() ?? 0) + 3
        return results.map { result in
            let value = result.succeeded ? display(result.data[field]) : style.red(result.statusMessage)
            return TextLayout.padLeft(result.sender, width) + ": " + value + "\n"
        }.joined()
    }

    private static func display(_ value: RubyValue?) -> String {
        guard let value else { return "" }
        return value.stringValue ?? value.rubyText
    }

    // MARK: count

    /// The tallies `count` prints, from `status` replies.
    struct Counts: Sendable, Equatable {
        var nodes = 0
        var enabled = 0, disabled = 0
        var applying = 0, stopped = 0
        var daemonRunning = 0, daemonStopped = 0, idling = 0
        var failed = 0

        init(_ results: [RPCResult]) {
            for result in results {
                guard result.succeeded else {
                    failed += 1
                    continue
                }
                nodes += 1
                if result.data["enabled"]?.boolValue == true { enabled += 1 } else { disabled += 1 }
                if result.data["applying"]?.boolValue == true { applying += 1 } else { stopped += 1 }
                if result.data["daemon_present"]?.boolValue == true { daemonRunning += 1 } else { daemonStopped += 1 }
                if result.data["idling"]?.boolValue == true { idling += 1 }
            }
        }

        var json: RubyValue {
            .hash(RubyHash(stringKeys: [
                "nodes": .int(nodes), "enabled": .int(enabled), "disabled": .int(disabled), "applying": .int(applying),
                "stopped": .int(stopped), "daemon_running": .int(daemonRunning), "daemon_stopped": .int(daemonStopped),
                "idling": .int(idling), "failed": .int(failed),
            ]))
        }
    }

    static func count(_ counts: Counts, style: TerminalStyle) -> String {
        var text = """
            Total Puppet nodes: \(counts.nodes)

                      Nodes currently enabled: \(counts.enabled)
                     Nodes currently disabled: \(counts.disabled)

            Nodes currently doing puppet runs: \(counts.applying)
                      Nodes currently stopped: \(counts.stopped)

                   Nodes with daemons started: \(counts.daemonRunning)
                Nodes without daemons started: \(counts.daemonStopped)
                   Daemons started but idling: \(counts.idling)


            """
        if counts.failed > 0 {
            text += style.red("Failed to retrieve status of \(counts.failed) \(counts.failed == 1 ? "node" : "nodes")") + "\n"
        }
        return text
    }

    // MARK: summary

    /// The population graphs `summary` draws, in its order: output name and label.
    static let summaryFields: [(output: String, label: String)] = [
        ("total_resources", "Total resources"), ("out_of_sync_resources", "Out Of Sync resources"),
        ("failed_resources", "Failed resources"), ("changed_resources", "Changed resources"),
        ("corrected_resources", "Corrected resources"), ("config_retrieval_time", "Config Retrieval time (seconds)"),
        ("total_time", "Total run-time (seconds)"), ("since_lastrun", "Time since last run (seconds)"),
    ]

    /// A field's spread over the nodes: 20 equal ranges between min and max, how many nodes
    /// fall in each, and the figures.
    struct Distribution: Sendable, Equatable {
        var buckets: [Int]
        var minimum: Double
        var average: Double
        var maximum: Double

        /// Nil when no successful reply carried a number for the field.
        init?(_ results: [RPCResult], field: String, bucketCount: Int = 20) {
            let values = results.filter(\.succeeded).compactMap { $0.data[field]?.doubleValue }
            guard let low = values.min(), let high = values.max() else { return nil }
            minimum = low
            maximum = high
            average = values.reduce(0, +) / Double(values.count)
            buckets = Array(repeating: 0, count: bucketCount)
            guard high > low else { return }
            // The range split evenly, the maximum in the last bucket (the original adds 1 to the
            // bucket width, which squeezes small ranges into the first buckets).
            let size = (high - low) / Double(bucketCount)
            for value in values { buckets[min(bucketCount - 1, Int((value - low) / size))] += 1 }
        }

        var json: RubyValue {
            .hash(RubyHash(stringKeys: [
                "min": .float(minimum), "avg": .float(average), "max": .float(maximum), "buckets": .array(buckets.map { .int($0) }),
            ]))
        }
    }

    static let ticks: [Character] = ["▁", "▂", "▃", "▄", "▅", "▆", "▇"]

    /// A sparkline of bucket counts: the highest bucket gets the tallest tick, any non-empty
    /// bucket at least the second tick.
    static func sparkline(_ buckets: [Int]) -> String {
        guard let high = buckets.max(), let low = buckets.min(), high > low else {
            return String(repeating: ticks[0], count: buckets.count)
        }
        let step = Double(high) / Double(ticks.count - 1)
        return String(buckets.map { count in
            var tick = Int((Double(count) / step).rounded())
            if count > 0 && tick == 0 { tick = 1 }
            return ticks[max(0, min(ticks.count - 1, tick))]
        })
    }

    /// 950 → "950.0", 1500 → "1.5k", 2_500_000 → "2.5m".
    static func shortNumber(_ number: Double) -> String {
        if number >= 1_000_000 { return String(format: "%0.1fm", number / 1_000_000) }
        if number >= 1000 { return String(format: "%0.1fk", number / 1000) }
        return String(format: "%0.1f", number)
    }

    static func summary(_ results: [RPCResult]) -> String {
        var text = "Summary statistics for \(results.count) nodes:\n\n"
        let width = summaryFields.map(\.label.count).max() ?? 0
        for field in summaryFields {
            var line = TextLayout.padLeft(field.label, width + 2) + ": "
            if let distribution = Distribution(results, field: field.output) {
                line += sparkline(distribution.buckets) + "  min: " + TextLayout.padRight(shortNumber(distribution.minimum), 6)
                    + " avg: " + TextLayout.padRight(shortNumber(distribution.average), 6)
                    + " max: " + TextLayout.padRight(shortNumber(distribution.maximum), 6)
            }
            text += line + "\n"
        }
        return text + "\n"
    }

    static func summaryJSON(_ results: [RPCResult]) -> RubyValue {
        var fields = RubyHash()
        for field in summaryFields {
            fields.set(Distribution(results, field: field.output)?.json ?? .nil, for: .str(field.output))
        }
        return .hash(RubyHash(stringKeys: [
            "nodes": .int(results.count), "fields": .hash(fields), "replies": .array(results.map(JSONResultRenderer.value)),
        ]))
    }

    // MARK: runall

    /// A runall log line: local time as `%F %T`, then the message.
    static func logLine(_ message: String, at date: Date, timeZone: TimeZone = .current) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        let parts = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
        let stamp = String(format: "%04d-%02d-%02d %02d:%02d:%02d", parts.year ?? 0, parts.month ?? 0, parts.day ?? 0, parts.hour ?? 0, parts.minute ?? 0, parts.second ?? 0)
        return "\(stamp): \(message)"
    }

    /// "node1 schedule status: Started a Puppet run using …", or the failure.
    static func scheduleStatus(node: String, result: RPCResult?) -> String {
        guard let result else { return "\(node) did not return a result" }
        if result.succeeded { return "\(node) schedule status: \(display(result.data["summary"]))" }
        return "\(node) schedule status: \(result.statusMessage)"
    }
}
