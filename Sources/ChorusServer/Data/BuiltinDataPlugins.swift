import ChorusCore
import ChorusSecurity
import RubyMarshal

/// The data plugins every node has: `fstat`, `fact`, `agent`, `collective` (MCollective 2.12's set).
public enum BuiltinDataPlugins {
    /// The plugins themselves. `digest` computes `fstat`'s MD5 (see `FstatDataPlugin`).
    public static func plugins(digest: FstatDataPlugin.Digest? = Digests.md5Hex) -> [any DataPlugin] {
        [FstatDataPlugin(digest: digest), FactDataPlugin(), AgentDataPlugin(), CollectiveDataPlugin()]
    }

    /// The plugins as the node hosts them; each query is validated against the plugin's DDL first.
    public static func all(digest: FstatDataPlugin.Digest? = Digests.md5Hex) -> [HostedDataPlugin] {
        plugins(digest: digest).map(hosted)
    }

    /// Wraps one plugin for `NodeState`.
    public static func hosted(_ plugin: any DataPlugin) -> HostedDataPlugin {
        HostedDataPlugin(name: plugin.name, description: plugin.ddl.metadata.description, ddl: plugin.ddl) { argument, context in
            try plugin.lookup(argument, node: ContextDataNode(context: context))
        }
    }
}

/// A `NodeContext` seen as a `DataPluginNode`.
struct ContextDataNode: DataPluginNode {
    let context: any NodeContext

    var facts: RubyHash { context.facts }
    var collectives: [String] { context.collectives }
    var agents: [String] { context.agentDDLs.map(\.name) }

    func agentMetadata(_ agent: String) -> PluginMetadata? {
        context.agentDDLs.first { $0.name == agent }?.metadata
    }
}
