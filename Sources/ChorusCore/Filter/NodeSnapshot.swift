import RubyMarshal

/// A node's filter-relevant state captured as plain values: what `Filter.matches(_:)` and the
/// data plugins look at. Useful wherever a node must be matched without a running daemon
/// (tests, demos, simulating a filter against known inventories).
public struct NodeSnapshot: FilterSubject, DataPluginNode, Sendable {
    public var identity: String
    public var facts: RubyHash
    public var classes: [String]
    public var agents: [String]
    public var collectives: [String]
    /// DDL metadata of the loaded agents, for the `agent` data plugin.
    public var agentMetadata: [String: PluginMetadata]
    /// The data plugins `fstatement`s may call.
    public var dataPlugins: [any DataPlugin]

    public init(
        identity: String, facts: RubyHash = RubyHash(), classes: [String] = [], agents: [String] = [],
        collectives: [String] = ["mcollective"], agentMetadata: [String: PluginMetadata] = [:],
        dataPlugins: [any DataPlugin] = []
    ) {
        self.identity = identity
        self.facts = facts
        self.classes = classes
        self.agents = agents
        self.collectives = collectives
        self.agentMetadata = agentMetadata
        self.dataPlugins = dataPlugins
    }

    public func agentMetadata(_ agent: String) -> PluginMetadata? { agentMetadata[agent] }

    /// Runs the named plugin (validating the query first); nil when there is no such plugin, the
    /// query is invalid or the plugin fails.
    public func dataQuery(plugin: String, query: String?) -> RubyHash? {
        guard let found = dataPlugins.first(where: { $0.name == plugin }) else { return nil }
        return try? found.lookup(query, node: self)
    }
}
