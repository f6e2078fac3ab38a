import ChorusServer
import Foundation

/// The package agent's `plugin.package.*` settings (server.cfg or plugin.d/package.cfg).
public struct PackageSettings: Sendable, Hashable {
    /// `provider`: `apt`, or unset / `auto` / `puppet` to detect (MCollective's agent
    /// defaulted to `puppet`, which picks apt on Debian, so existing files keep working).
    public var provider: String?
    /// `yum_clean_mode`: what `yum_clean` cleans when the request names no mode (default `all`).
    public var yumCleanMode: String
    /// `apt_checkupdates`: `simulate` (default) or `list`, how apt lists upgrades.
    public var aptUpgradeListing: String

    public init(_ settings: PluginSettings) {
        let value = settings["provider"]?.trimmingCharacters(in: .whitespaces).lowercased()
        provider = (value == nil || value == "" || value == "auto" || value == "puppet") ? nil : value
        yumCleanMode = settings["yum_clean_mode"]?.trimmingCharacters(in: .whitespaces) ?? "all"
        aptUpgradeListing = settings["apt_checkupdates"]?.trimmingCharacters(in: .whitespaces).lowercased() ?? "simulate"
    }
}
