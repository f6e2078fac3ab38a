import ChorusCore
import ChorusServer

/// The agents every Chorus node carries.
public enum BuiltinAgents {
    /// The built-in agents, configured from the node's `plugin.*` settings.
    public static func all(settings: PluginSettings = PluginSettings()) throws -> [any Agent] {
        [
            try DiscoveryAgent(), try RPCUtilAgent(), try PackageAgent(settings: settings), try ServiceAgent(settings: settings),
            try PuppetAgent(settings: PuppetSettings(node: settings)), try PuppetRALAgent(settings: settings),
        ]
    }

    /// The data plugins that come with the built-in agents (beyond the node's own `fstat`,
    /// `fact`, `agent` and `collective`), configured from the same settings.
    /// The `puppet()` and `resource()` plugins come with the puppet agent: a node whose
    /// `activation` policy switches that agent off has neither.
    public static func dataPlugins(settings: PluginSettings = PluginSettings(), activation: AgentActivationPolicy? = nil) -> [HostedDataPlugin] {
        guard activation?.allows(agentNamed: "puppet") ?? true else { return [] }
        return PuppetDataPlugins.all(settings: PuppetSettings(node: settings)).map(BuiltinDataPlugins.hosted)
    }

    /// DDLs of the built-in agents, for clients that validate before sending.
    public static func ddls() throws -> [AgentDDL] {
        try BuiltinDDL.names.compactMap { try BuiltinDDL.named($0) }
    }
}
