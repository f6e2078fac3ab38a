import ChorusClient
import ChorusCore
import Foundation
import RubyMarshal

/// `mco facts FACT` (application/facts.rb): each value with how many nodes have it, the
/// nodes themselves with `-v`, then the call statistics.
enum FactsRenderer {
    static func render(
        fact: String, outcome: RPCOutcome, verbose: Bool, style: TerminalStyle, timeZone: TimeZone = .current
    ) -> String {
        render(
            fact: fact, results: outcome.results, stats: RPCStats(outcome: outcome), verbose: verbose, style: style,
            timeZone: timeZone)
    }

    static func render(
        fact: String, results: [RPCResult], stats: RPCStats, verbose: Bool, style: TerminalStyle,
        timeZone: TimeZone = .current
    ) -> String {
        let statistics = RPCStatsRenderer(style: style, verbose: verbose, timeZone: timeZone)
        return text(fact: fact, results: results, verbose: verbose) + statistics.report(stats: stats, summaries: [])
    }

    /// The report without the statistics. Like facts.rb, every reply whose data has a value
    /// counts, a nil value (a node without the fact) as the empty string.
    static func text(fact: String, results: [RPCResult], verbose: Bool) -> String {
        var nodesByValue: [String: [String]] = [:]
        for result in results {
            guard let value = result.data["value"] else { continue }
            nodesByValue[value.rubyText, default: []].append(result.sender)
        }
        if nodesByValue.isEmpty { return "No values found for fact \(fact)\n" }
        var text = "Report for fact: \(fact)\n\n"
        let size = TextLayout.fieldSize(Array(nodesByValue.keys), minimum: 40)
        for value in nodesByValue.keys.sorted() {
            let nodes = nodesByValue[value] ?? []
            text += "        " + TextLayout.padRight(value, size) + " found \(nodes.count) times\n"
            if verbose {
                text += "\n"
                for node in nodes.sorted() { text += "            \(node)\n" }
                text += "\n"
            }
        }
        return text
    }
}
