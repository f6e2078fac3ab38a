import ChorusCore
import Foundation

/// The statistics mco prints when a call finishes (rpc/stats.rb `report`), followed by the
/// blank line mco leaves before exiting.
///
/// Normal: the aggregate summaries (or a blank line) and "Finished processing N / M hosts in
/// X ms" (counts red when fewer answered than were asked, green otherwise). Verbose: the
/// summaries, a yellow caption and the Nodes, Pass / Fail, Start Time, Discovery, Agent and
/// Total Time lines. Both end with the "No response from:" and "Unexpected response from:"
/// blocks. stats.rb's other forms ("Finished processing N hosts", "Nodes: N") hang on
/// `if @discovered`, which an Integer always passes in Ruby, so mco never prints them and
/// neither does this; nothing discovered reads "0 / 0".
struct RPCStatsRenderer: Sendable {
    var style: TerminalStyle
    var verbose: Bool
    var timeZone: TimeZone = .current

    func report(
        stats: RPCStats, summaries: [AggregateSummary], caption: String = "rpc stats", summarize: Bool = false
    ) -> String {
        var parts: [String] = []
        let responded = stats.responded.count
        let discovered = stats.discovered.count
        if verbose {
            let computed = summaries.contains { $0.failure == nil }
            parts.append(computed && summarize ? aggregates(summaries) : "")
            parts.append(style.yellow("---- \(caption) ----"))
            let colour: TerminalStyle.Colour = responded < discovered ? .red : .reset
            parts.append(
                "           Nodes: \(style.colorize(colour, String(discovered))) / \(style.colorize(colour, String(responded)))")
            parts.append("     Pass / Fail: \(style.reset(String(stats.okCount))) / \(style.reset(String(stats.failCount)))")
            parts.append("      Start Time: " + RubyTime.string(epochSeconds: stats.startTime, timeZone: timeZone))
            parts.append("  Discovery Time: " + TextLayout.fixed(TextLayout.milliseconds(stats.discoveryTime), digits: 2) + "ms")
            parts.append("      Agent Time: " + TextLayout.fixed(TextLayout.milliseconds(stats.blockTime), digits: 2) + "ms")
            parts.append("      Total Time: " + TextLayout.fixed(TextLayout.milliseconds(stats.totalTime), digits: 2) + "ms")
        } else {
            let milliseconds = TextLayout.fixed(TextLayout.milliseconds(stats.blockTime), digits: 2)
            let colour: TerminalStyle.Colour = responded < discovered ? .red : .green
            parts.append(!summaries.isEmpty && summarize ? aggregates(summaries) : "")
            let counts = style.colorize(colour, String(responded)) + " / " + style.colorize(colour, String(discovered))
            parts.append("Finished processing \(counts) hosts in \(milliseconds) ms")
        }
        // stats.rb: a blank line, each non-empty block after a blank line of its own, a
        // blank line; joined with newlines and printed with `puts`.
        parts.append("")
        let blocks = [("No response from:", stats.noResponseFrom), ("Unexpected response from:", stats.unexpectedResponses)]
        for (title, nodes) in blocks where !nodes.isEmpty {
            parts.append("")
            parts.append(style.red(title) + "\n\n" + TextLayout.identityColumns(nodes))
        }
        parts.append("")
        let text = parts.joined(separator: "\n")
        return text.hasSuffix("\n") ? text : text + "\n"
    }

    /// `text_for_aggregates`: each computed summary under a bold "Summary of <label>:", then
    /// each failed one with MCollective's reason.
    func aggregates(_ summaries: [AggregateSummary]) -> String {
        var text = ""
        for summary in summaries where summary.failure == nil {
            text += style.bold("Summary of \(summary.label):") + "\n\n"
            if summary.text.isEmpty {
                text += style.yellow("     No aggregate summary could be computed") + "\n"
            } else {
                text += TextLayout.rubyLines(summary.text).map { "   " + $0 }.joined(separator: "\n") + "\n"
            }
            text += "\n"
        }
        for summary in summaries {
            guard let failure = summary.failure else { continue }
            text += style.bold("Summary of \(summary.spec.output):") + "\n\n"
            text += style.yellow("     Could not compute summary - \(failure.message)") + "\n\n"
        }
        return text
    }
}
