import ChorusCore

/// Why the node cannot start with the configured authorization; the message names the key to fix.
public struct AuthorizationSetupError: Error, Sendable, Hashable, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}

/// Where ActionPolicy finds its files and how it treats agents without one
/// (`plugin.actionpolicy.*`, in server.cfg or `plugin.d/actionpolicy.cfg`).
public struct ActionPolicySettings: Sendable, Hashable {
    /// `<configdir>/policies`: `<agent>.policy`, `<default_name>.policy` and `groups`.
    public var directory: String
    /// `plugin.actionpolicy.allow_unconfigured` (default 0): allow requests to agents without a
    /// policy file (and decide for policy files without a `policy default` line).
    public var allowUnconfigured: Bool
    /// `plugin.actionpolicy.enable_default` (default 0): use `<default_name>.policy` for agents
    /// without their own file. It takes precedence over `allow_unconfigured`.
    public var enableDefault: Bool
    /// `plugin.actionpolicy.default_name` (default `default`).
    public var defaultName: String

    public init(directory: String, allowUnconfigured: Bool = false, enableDefault: Bool = false, defaultName: String = "default") {
        self.directory = directory
        self.allowUnconfigured = allowUnconfigured
        self.enableDefault = enableDefault
        self.defaultName = defaultName
    }

    /// Reads the `actionpolicy.*` keys of `settings` (keys without the `plugin.` prefix) for a
    /// node whose configuration file lives in `configDirectory`. Values MCollective would read
    /// differently from what was meant are refused: a boolean must be one of 1/0, true/false,
    /// yes/no, y/n, t/f; `default_name` must be a plain file name.
    public init(configDirectory: String, settings: PluginSettings) throws(AuthorizationSetupError) {
        func flag(_ key: String) throws(AuthorizationSetupError) -> Bool {
            guard let text = settings["actionpolicy." + key] else { return false }
            switch text.lowercased() {
            case "1", "true", "yes", "y", "t": return true
            case "0", "false", "no", "n", "f": return false
            default:
                throw AuthorizationSetupError("plugin.actionpolicy.\(key) = \(text) is not a boolean; use 1 or 0")
            }
        }
        let name = settings["actionpolicy.default_name"] ?? "default"
        guard PolicyText.isGroupName(name), name != ".", name != ".." else {
            throw AuthorizationSetupError(
                "plugin.actionpolicy.default_name = \(name) is not a plain file name; use letters, digits, _ . - (the file is <configdir>/policies/<default_name>.policy)")
        }
        let trimmed = configDirectory.count > 1 && configDirectory.hasSuffix("/") ? String(configDirectory.dropLast()) : configDirectory
        self.init(
            directory: (trimmed == "/" ? "" : trimmed) + "/policies", allowUnconfigured: try flag("allow_unconfigured"),
            enableDefault: try flag("enable_default"), defaultName: name)
    }

    /// The policy file for `agent`.
    public func policyFile(agent: String) -> String { "\(directory)/\(agent).policy" }
    /// The default policy file.
    public var defaultPolicyFile: String { "\(directory)/\(defaultName).policy" }
    /// The groups file.
    public var groupsFile: String { "\(directory)/groups" }
}
