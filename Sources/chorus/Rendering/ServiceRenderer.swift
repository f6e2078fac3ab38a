import ChorusClient
import ChorusCore
import Foundation
import RubyMarshal

/// `mco service NAME ACTION` (the service application): one line per node, a summary of
/// the states, then the call statistics.
///
/// Each line is the sender right-aligned to the longest sender plus 3, a colon, and the
/// node's state (`running`, `stopped`) or, for a failed node, its status message in red.
/// Like mco, `status` lists every node; `start` and `restart` list the nodes that did not end
/// up running, `stop` those that did not end up stopped, and failures; `-v` lists every node.
struct ServiceRenderer: AgentApplicationRenderer {
    let agentTitle = "Service"
    var style: TerminalStyle
    var verbose: Bool
    var timeZone: TimeZone = .current

    /// One line per node worth showing.
    func lines(action: String, results: [RPCResult]) -> String {
        let width = (results.map(\.sender.unicodeScalars.count).max() ?? 0) + 3
        var text = ""
        for result in results {
            let state = result.data["status"]?.stringValue ?? ""
            if result.succeeded {
                guard verbose || !Self.reachedGoal(action: action, state: state) else { continue }
                text += TextLayout.padLeft(result.sender, width) + ": " + state + "\n"
            } else {
                text += TextLayout.padLeft(result.sender, width) + ": " + style.red(result.statusMessage) + "\n"
            }
        }
        return text
    }

    /// Whether a successful reply is the expected one, which mco leaves out of the listing:
    /// `running` after start and restart, `stopped` after stop. A status is never left out.
    static func reachedGoal(action: String, state: String) -> Bool {
        switch action {
        case "start", "restart": return state == "running"
        case "stop": return state == "stopped"
        default: return false
        }
    }
}
