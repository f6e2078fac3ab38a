import ChorusClient
import ChorusCore
import Foundation
import RubyMarshal

/// `chorus package` output (after mco's package application): one line per node, the
/// summaries the DDL asks for (e.g. how many nodes have each version), then the statistics.
///
/// Each line is the sender right-aligned to the longest sender plus 3, a colon, and:
/// - package actions (status, install, update, uninstall, purge): the version with the
///   architecture, `1.0-1 (all)`, or `absent` / `purged`;
/// - update checks: how many packages are outdated and their names; `-v` adds each new
///   version and its repository on lines of their own;
/// - apt_update and yum_clean: `ok`, or with `-v` the last line the tool printed;
/// - a failed node: its status message in red.
struct PackageRenderer: AgentApplicationRenderer {
    let agentTitle = "Package"
    var style: TerminalStyle
    var verbose: Bool
    var timeZone: TimeZone = .current

    static let packageActions: Set<String> = ["status", "install", "update", "uninstall", "purge"]
    static let checkActions: Set<String> = ["checkupdates", "apt_checkupdates", "yum_checkupdates"]

    /// One line per node (more for verbose update checks), sorted by sender.
    func lines(action: String, results: [RPCResult]) -> String {
        let width = (results.map(\.sender.unicodeScalars.count).max() ?? 0) + 3
        var text = ""
        for result in results.sorted(by: { $0.sender < $1.sender }) {
            let head = TextLayout.padLeft(result.sender, width) + ": "
            guard result.succeeded else {
                text += head + style.red(result.statusMessage) + "\n"
                continue
            }
            if Self.packageActions.contains(action) {
                text += head + Self.packageState(result.data) + "\n"
            } else if Self.checkActions.contains(action) {
                let outdated = Self.outdated(result.data)
                let names = outdated.map(\.package).joined(separator: " ")
                text += head + "\(outdated.count) outdated" + (names.isEmpty ? "" : ": " + names) + "\n"
                if verbose {
                    for package in outdated {
                        text += TextLayout.spaces(width + 4) + "\(package.package) \(package.version) (\(package.repo))\n"
                    }
                }
            } else {
                let said = TextLayout.rubyLines(result.data["output"]?.stringValue ?? "").last.map(String.init) ?? ""
                text += head + (verbose && !said.isEmpty ? said : "ok") + "\n"
            }
        }
        return text
    }

    /// `1.0-1 (all)` for an installed package, else its ensure (`absent`, `purged`).
    static func packageState(_ data: RubyHash) -> String {
        let ensure = data["ensure"]?.stringValue ?? "unknown"
        guard let arch = data["arch"]?.stringValue, !arch.isEmpty else { return ensure }
        return "\(ensure) (\(arch))"
    }

    /// The `outdated_packages` output as (package, version, repo), entries with Symbol or String keys.
    static func outdated(_ data: RubyHash) -> [(package: String, version: String, repo: String)] {
        guard case .array(let entries)? = data["outdated_packages"] else { return [] }
        return entries.map { entry in
            (entry["package"]?.stringValue ?? "?", entry["version"]?.stringValue ?? "?", entry["repo"]?.stringValue ?? "")
        }
    }
}
