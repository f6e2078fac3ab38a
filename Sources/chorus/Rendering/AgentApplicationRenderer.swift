import ChorusClient
import ChorusCore
import Foundation

/// The report shape `chorus package` and `chorus service` share (mco's applications): one
/// line per node worth showing, a blank line, then the call statistics with the DDL's summaries
/// under the caption "<action> <Agent> results". Conformers supply the node lines.
protocol AgentApplicationRenderer: Sendable {
    var style: TerminalStyle { get }
    var verbose: Bool { get }
    var timeZone: TimeZone { get }
    /// "Package", "Service": the word in the statistics caption.
    var agentTitle: String { get }
    func lines(action: String, results: [RPCResult]) -> String
}

extension AgentApplicationRenderer {
    /// The whole report for a finished call.
    func render(action: String, outcome: RPCOutcome, ddl: AgentDDL) -> String {
        let summaries = ddl.action(named: action).map { Aggregator.summarize(outcome.results, action: $0) } ?? []
        return render(action: action, results: outcome.results, stats: RPCStats(outcome: outcome), summaries: summaries)
    }

    /// The node lines, a blank line, then the statistics with the summaries.
    func render(action: String, results: [RPCResult], stats: RPCStats, summaries: [AggregateSummary]) -> String {
        var text = lines(action: action, results: results)
        if !results.isEmpty { text += "\n" }
        return text + RPCStatsRenderer(style: style, verbose: verbose, timeZone: timeZone)
            .report(stats: stats, summaries: summaries, caption: "\(action) \(agentTitle) results", summarize: true)
    }
}
