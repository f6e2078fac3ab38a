import ChorusCore
import RubyMarshal

/// A data plugin as the node hosts it: a name, its outputs, and a query function.
public struct HostedDataPlugin: Sendable {
    public var name: String
    public var description: String
    public var query: @Sendable (_ argument: String?, _ node: any NodeContext) throws -> RubyHash
    /// The plugin's DDL, for `plugin doc` and validation; nil for plugins that have none.
    public var ddl: AgentDDL?

    public init(name: String, description: String, ddl: AgentDDL? = nil, query: @escaping @Sendable (_ argument: String?, _ node: any NodeContext) throws -> RubyHash) {
        self.name = name
        self.description = description
        self.ddl = ddl
        self.query = query
    }
}

/// Everything a node knows about itself: identity, facts, classes, agents, data plugins,
/// counters and configuration. Agents see it as a `NodeContext`; the filter as a `FilterSubject`.
public final class NodeState: NodeContext {
    public let identity: String
    public let mainCollective: String
    public let collectives: [String]
    public let configFile: String
    public let counters: ServerStatistics
    public let version = ChorusVersion.string
    private let factSource: any FactSource
    private let classesFile: ClassesFile
    private let agentsByName: [String: any Agent]
    private let dataPlugins: [String: HostedDataPlugin]
    private let configLookup: @Sendable (String) -> RubyValue?

    /// The agents that declined to load on this node (`Agent.activate(on:)` answered false).
    public let declinedAgents: [String]

    /// Builds the node. Each agent is asked whether it applies to this node (MCollective's
    /// `activate_when`) against the node's identity, facts and configuration; those that decline
    /// are left out and listed in `declinedAgents`.
    public convenience init(
        identity: String, mainCollective: String, collectives: [String], configFile: String,
        statistics: ServerStatistics, factSource: any FactSource, classesFile: ClassesFile,
        agents: [any Agent], dataPlugins: [HostedDataPlugin], configLookup: @escaping @Sendable (String) -> RubyValue?
    ) {
        let probe = NodeState(
            identity: identity, mainCollective: mainCollective, collectives: collectives, configFile: configFile,
            statistics: statistics, factSource: factSource, classesFile: classesFile, activeAgents: [], declined: [],
            dataPlugins: dataPlugins, configLookup: configLookup)
        var active: [any Agent] = []
        var declined: [String] = []
        for agent in agents {
            if agent.activate(on: probe) { active.append(agent) } else { declined.append(agent.name) }
        }
        self.init(
            identity: identity, mainCollective: mainCollective, collectives: collectives, configFile: configFile,
            statistics: statistics, factSource: factSource, classesFile: classesFile, activeAgents: active,
            declined: declined, dataPlugins: dataPlugins, configLookup: configLookup)
    }

    private init(
        identity: String, mainCollective: String, collectives: [String], configFile: String,
        statistics: ServerStatistics, factSource: any FactSource, classesFile: ClassesFile,
        activeAgents agents: [any Agent], declined: [String], dataPlugins: [HostedDataPlugin],
        configLookup: @escaping @Sendable (String) -> RubyValue?
    ) {
        self.identity = identity
        self.mainCollective = mainCollective
        self.collectives = collectives
        self.configFile = configFile
        self.counters = statistics
        self.factSource = factSource
        self.classesFile = classesFile
        var byName: [String: any Agent] = [:]
        for agent in agents { byName[agent.name] = agent }
        self.agentsByName = byName
        self.declinedAgents = declined
        var plugins: [String: HostedDataPlugin] = [:]
        for plugin in dataPlugins { plugins[plugin.name] = plugin }
        self.dataPlugins = plugins
        self.configLookup = configLookup
    }

    public var facts: RubyHash { factSource.facts() }
    public var classes: [String] { classesFile.classes() }
    public var agentNames: [String] { agentsByName.keys.sorted() }
    public var agentDDLs: [AgentDDL] { agentNames.compactMap { agentsByName[$0]?.ddl } }
    public var dataPluginNames: [String] { dataPlugins.keys.sorted() }
    public var statistics: ServerStatistics.Snapshot { counters.snapshot }

    public func agent(named name: String) -> (any Agent)? { agentsByName[name] }

    public func queryData(plugin: String, query: String?) throws -> RubyHash? {
        guard let hosted = dataPlugins[plugin] else { return nil }
        return try hosted.query(query, self)
    }

    public func configItem(_ name: String) -> RubyValue? { configLookup(name) }

    /// A snapshot for one filter evaluation: facts and classes are read once.
    public func filterSubject() -> NodeFilterSubject {
        NodeFilterSubject(identity: identity, facts: facts, classes: classes, agents: agentNames, node: self)
    }
}

/// The node as the filter sees it during one evaluation.
public struct NodeFilterSubject: FilterSubject {
    public let identity: String
    public let facts: RubyHash
    public let classes: [String]
    public let agents: [String]
    let node: NodeState

    public func dataQuery(plugin: String, query: String?) -> RubyHash? {
        try? node.queryData(plugin: plugin, query: query)
    }
}
