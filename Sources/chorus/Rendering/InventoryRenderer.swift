import ChorusCore
import Foundation
import RubyMarshal

/// `mco inventory NODE` (application/inventory.rb): server statistics from `daemon_stats`,
/// then agents, data plugins, classes and facts from `inventory`.
enum InventoryRenderer {
    static func render(
        identity: String, daemonStats: RPCResult, inventory: RPCResult, style: TerminalStyle, timeZone: TimeZone = .current
    ) -> String {
        let stats = daemonStats.data
        let node = inventory.data
        func text(_ value: RubyValue?) -> String { value?.rubyText ?? "" }
        func strings(_ value: RubyValue?) -> [String] { value?.arrayValue?.map(\.rubyText) ?? [] }

        var out = "Inventory for \(identity):\n\n"
        out += "   Server Statistics:\n"
        out += "                      Version: \(text(stats["version"]))\n"
        let started =
            stats["starttime"]?.doubleValue.map { RubyTime.string(epochSeconds: $0, timeZone: timeZone) }
            ?? text(stats["starttime"])
        out += "                   Start Time: \(started)\n"
        out += "                  Config File: \(text(stats["configfile"]))\n"
        out += "                  Collectives: \(strings(node["collectives"]).joined(separator: ", "))\n"
        out += "              Main Collective: \(text(node["main_collective"]))\n"
        out += "                   Process ID: \(text(stats["pid"]))\n"
        out += "               Total Messages: \(text(stats["total"]))\n"
        out += "      Messages Passed Filters: \(text(stats["passed"]))\n"
        out += "            Messages Filtered: \(text(stats["filtered"]))\n"
        out += "             Expired Messages: \(text(stats["ttlexpired"]))\n"
        out += "                 Replies Sent: \(text(stats["replies"]))\n"
        out += "         Total Processor Time: \(text(stats["times"]?["utime"])) seconds\n"
        out += "                  System Time: \(text(stats["times"]?["stime"])) seconds\n"
        out += "\n"

        out += "   Agents:\n"
        out += threeColumns(strings(node["agents"]).sorted())
        out += "\n"

        out += "   Data Plugins:\n"
        let plugins = strings(node["data_plugins"]).sorted().map { $0.replacingOccurrences(of: "_data", with: "") }
        out += threeColumns(plugins)
        out += "\n"

        let classes = strings(node["classes"])
        if classes.isEmpty {
            out += "   No classes applied\n"
        } else {
            out += "   Configuration Management Classes:\n"
            let size = TextLayout.fieldSize(classes, minimum: 30)
            for row in TextLayout.groups(classes.sorted(), of: TextLayout.fieldNumber(size)) {
                out += "   " + row.map { " " + TextLayout.padRight($0, size) }.joined() + "\n"
            }
        }
        out += "\n"

        out += "   Facts:\n"
        let facts = node["facts"]?.asHash?.pairs ?? []
        if facts.isEmpty {
            out += "      No facts known\n"
        } else {
            for pair in facts.sorted(by: { $0.key.rubyText < $1.key.rubyText }) {
                out += "      \(pair.key.rubyText) => \(pair.value.rubyText)\n"
            }
        }
        return out
    }

    /// `"      %-15s %-15s %-15s"` rows.
    private static func threeColumns(_ items: [String]) -> String {
        TextLayout.groups(items, of: 3).map { row in
            "      " + row.map { TextLayout.padRight($0, 15) }.joined(separator: " ") + "\n"
        }.joined()
    }
}
