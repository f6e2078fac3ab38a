import ChorusCore
import RubyMarshal

/// What an agent may know about the node it runs on. Agents see this view only, never the
/// daemon's internals, so a built-in agent and an external one have the same reach.
public protocol NodeContext: Sendable {
    var identity: String { get }
    /// Facts, normalised as MCollective does (String keys, scalar values as Strings).
    var facts: RubyHash { get }
    /// Configuration management classes from the classes file.
    var classes: [String] { get }
    var mainCollective: String { get }
    var collectives: [String] { get }
    /// The DDLs of the agents loaded on this node, sorted by name.
    var agentDDLs: [AgentDDL] { get }
    /// Names of the data plugins available to `-S` filters and `rpcutil get_data`.
    var dataPluginNames: [String] { get }
    /// Runs a data plugin query; nil when no such plugin exists.
    func queryData(plugin: String, query: String?) throws -> RubyHash?
    /// The daemon's counters and process figures now.
    var statistics: ServerStatistics.Snapshot { get }
    /// A configuration value as `rpcutil get_config_item` shows it; secrets are never returned.
    func configItem(_ name: String) -> RubyValue?
    /// The configuration file the daemon was started with.
    var configFile: String { get }
    /// The Chorus version string.
    var version: String { get }
}

/// Chorus's release, reported by `rpcutil inventory` and `daemon_stats`.
public enum ChorusVersion {
    public static let string = "0.1.0"
}
