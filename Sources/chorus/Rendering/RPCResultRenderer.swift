import ChorusClient
import ChorusCore
import Foundation
import RubyMarshal

/// Renders the replies of an RPC call as `mco rpc` prints them (rpc/helpers.rb).
///
/// Per node: the sender padded to 40 columns and the status word (blank when OK, red
/// "Request Aborted" and the like otherwise), the status message in yellow on the next line
/// unless it is "OK", then — for successful replies — each data key sorted by name as
/// `Label: value` aligned on the colons, multi-line values lined up under the first line.
/// Which replies show follows the action's DDL `display` unless `display` overrides it.
/// Verbose mode prints `sender : statusmsg` and the data's `inspect` for every reply.
struct RPCResultRenderer: Sendable {
    var style: TerminalStyle
    var ddl: AgentDDL?
    var action: ActionDDL?
    var verbose: Bool
    /// `--display ok|failed|all`: overrides the DDL's display policy.
    var display: DisplayPolicy?
    /// The terminal width `pp` wraps to (Ruby uses 80 unless told otherwise).
    var width = 80
    /// For the start time in the verbose statistics.
    var timeZone: TimeZone = .current

    init(style: TerminalStyle, ddl: AgentDDL?, action: ActionDDL?, verbose: Bool = false, display: DisplayPolicy? = nil) {
        self.style = style
        self.ddl = ddl
        self.action = action
        self.verbose = verbose
        self.display = display
    }

    /// Everything `mco rpc` prints after the progress indicator: the replies block, the
    /// aggregate summaries and the statistics.
    func render(outcome: RPCOutcome) -> String {
        render(results: outcome.results, stats: RPCStats(outcome: outcome))
    }

    /// The replies block followed by the statistics report.
    func render(results: [RPCResult], stats: RPCStats) -> String {
        let summaries = action.map { Aggregator.summarize(results, action: $0) } ?? []
        return self.results(results) + report(stats: stats, summaries: summaries)
    }

    /// `printrpc`: a blank line, each shown reply, a blank line.
    func results(_ results: [RPCResult]) -> String {
        var text = "\n"
        for result in results { text += self.result(result) }
        return text + "\n"
    }

    /// One reply's text (ending in a blank line), or "" when the display policy hides it.
    func result(_ result: RPCResult) -> String {
        if verbose { return verboseText(result) }
        guard let action else {
            // Without a DDL mco prints only the failures.
            if result.succeeded { return "" }
            return TextLayout.padRight(result.sender, 40) + " " + style.red(result.statusMessage) + "\n"
        }
        guard (display ?? action.display).shows(statusCode: result.statusCode) else { return "" }
        return text(for: result, action: action)
    }

    /// `printrpcstats` with the call's caption ("rpcutil#ping call stats") and its aggregates.
    func report(stats: RPCStats, summaries: [AggregateSummary]) -> String {
        let caption = "\(ddl?.name ?? "")#\(action?.name ?? "") call stats"
        return RPCStatsRenderer(style: style, verbose: verbose, timeZone: timeZone)
            .report(stats: stats, summaries: summaries, caption: caption, summarize: true)
    }

    private func text(for result: RPCResult, action: ActionDDL) -> String {
        var text = TextLayout.padRight(result.sender, 40) + " " + statusWord(result.statusCode) + "\n"
        if result.statusMessage != "OK" { text += "   " + style.yellow(result.statusMessage) + "\n" }
        if result.statusCode == 0 {
            let labelled = result.data.pairs.map { (label: label(for: $0.key, action: action), pair: $0) }
            let longest = labelled.map(\.label.unicodeScalars.count).max() ?? 0
            for entry in labelled.sorted(by: { $0.pair.key.rubyText < $1.pair.key.rubyText }) {
                let labelWidth = entry.label.unicodeScalars.count
                let padding = longest - labelWidth + 3
                text += TextLayout.spaces(padding) + entry.label + ":"
                if case .string = entry.pair.value {
                    let lines = TextLayout.rubyLines(entry.pair.value.rubyText)
                    if lines.isEmpty { text += "\n" }
                    for (index, line) in lines.enumerated() {
                        text += (index == 0 ? " " : TextLayout.spaces(padding + labelWidth + 2)) + line + "\n"
                    }
                } else {
                    text += " " + entry.pair.value.prettyInspect(width: width, indent: longest + 5) + "\n"
                }
            }
        }
        return text + "\n"
    }

    /// A data key's label: the output's `display_as` for a declared Symbol key, else the key.
    private func label(for key: RubyValue, action: ActionDDL) -> String {
        if case .symbol(let name) = key, let output = action.output(named: name) { return output.displayAs }
        return key.rubyText
    }

    /// The word after the sender: nothing for OK, the status's name in red or yellow otherwise.
    private func statusWord(_ code: Int) -> String {
        switch StatusCode(rawValue: code) {
        case .ok, nil: return ""
        case .aborted, .unknownError: return style.red(StatusCode(rawValue: code)!.displayWord)
        case .unknownAction, .missingData, .invalidData: return style.yellow(StatusCode(rawValue: code)!.displayWord)
        }
    }

    /// mco's verbose form: `sender : statusmsg`, then the data's `inspect` indented by 4
    /// (status 0 and 1 only; multi-line `pp` output keeps its line breaks), then a blank line.
    private func verboseText(_ result: RPCResult) -> String {
        var text = TextLayout.padRight(result.sender, 40) + ": " + result.statusMessage + "\n"
        switch result.statusCode {
        case 0, 1:
            let lines = RubyValue.hash(result.data).prettyInspectLines(width: width)
            text += lines.map { "    " + $0 }.joined(separator: "\n") + "\n\n"
        case 2, 3, 4:
            break
        default:
            text += "    " + result.statusMessage + "\n\n"
        }
        return text
    }
}
