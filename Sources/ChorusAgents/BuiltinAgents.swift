import ChorusCore
import ChorusServer

/// The agents every Chorus node carries.
public enum BuiltinAgents {
    /// The built-in agents, configured from the node's `plugin.*` settings.
    public static func all(settings: PluginSettings = PluginSettings()) throws -> [any Agent] {
        [try DiscoveryAgent(), try RPCUtilAgent()]
    }

    /// DDLs of the built-in agents, for clients that validate before sending.
    public static func ddls() throws -> [AgentDDL] {
        [try BuiltinDDL.discovery(), try BuiltinDDL.rpcutil()]
    }
}
