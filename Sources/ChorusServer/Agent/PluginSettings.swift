/// The `plugin.*` settings of a node's configuration, as agents read them.
///
/// Keys are written without the `plugin.` prefix: `puppet.command`, `service.provider`.
/// MCollective's `plugin.d/<agent>.cfg` files are already merged in by the configuration
/// loader, so an agent sees one set of settings wherever they were written.
public struct PluginSettings: Sendable, Hashable {
    public var values: [String: String]

    public init(_ values: [String: String] = [:]) { self.values = values }

    /// The raw value of `key` (for example `puppet.command`), nil when unset.
    public subscript(_ key: String) -> String? { values[key] }

    /// A boolean setting as MCollective's `Util.str_to_bool` reads it: `1`, `true`, `yes`, `y`,
    /// `t` are true; `0`, `false`, `no`, `n`, `f` are false (any case); anything else is `fallback`.
    public func bool(_ key: String, default fallback: Bool) -> Bool {
        switch values[key]?.lowercased() {
        case "1", "true", "yes", "y", "t": return true
        case "0", "false", "no", "n", "f": return false
        default: return fallback
        }
    }

    /// An integer setting, `fallback` when unset or not a number.
    public func integer(_ key: String, default fallback: Int) -> Int {
        values[key].flatMap { Int($0) } ?? fallback
    }

    /// The settings of one plugin (`puppet.command` → `command`), for agents that only read their own.
    public func scoped(to plugin: String) -> PluginSettings {
        let prefix = plugin + "."
        var scoped: [String: String] = [:]
        for (key, value) in values where key.hasPrefix(prefix) {
            scoped[String(key.dropFirst(prefix.count))] = value
        }
        return PluginSettings(scoped)
    }
}
