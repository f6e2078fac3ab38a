import RubyMarshal

/// A data plugin (MCollective `Data::Base`): answers one query about the node with a small set of
/// named outputs. Used by `fstatement`s in `-S` filters (`fstat('/etc/hosts').size>100`) and by
/// `rpcutil get_data`.
public protocol DataPlugin: Sendable {
    /// The plugin's DDL (`kind == .data`): metadata with the plugin name (`fstat`), the `query`
    /// input, and the outputs in the order the result hash lists them.
    var ddl: AgentDDL { get }

    /// Answers `argument` (already validated against the DDL) about `node`. The result has Symbol
    /// keys in DDL output order, starting from `emptyResult()`. Throws where MCollective's
    /// plugin raises.
    func query(_ argument: String?, node: some DataPluginNode) throws(DataPluginError) -> RubyHash
}

/// What data plugins may know about the node they run on.
public protocol DataPluginNode {
    /// The node's normalised facts (String keys, String values, Arrays and Hashes of them).
    var facts: RubyHash { get }
    /// The collectives the node belongs to.
    var collectives: [String] { get }
    /// The names of the agents the node has loaded.
    var agents: [String] { get }
    /// A loaded agent's DDL metadata, nil when there is no such agent.
    func agentMetadata(_ agent: String) -> PluginMetadata?
}

/// Why a data plugin query did not produce a result.
public enum DataPluginError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The argument fails the plugin's DDL (MCollective `DDLValidationError`).
    case invalidQuery(plugin: String, message: String)
    /// The plugin raised while answering.
    case failed(plugin: String, message: String)

    public var description: String {
        switch self {
        case .invalidQuery(let plugin, let message): return "Invalid query for data plugin \(plugin): \(message)"
        case .failed(let plugin, let message): return "Data plugin \(plugin) failed: \(message)"
        }
    }
}

extension DataPlugin {
    /// The plugin's name, e.g. `fstat` (MCollective loads it as `fstat_data`).
    public var name: String { ddl.name }

    /// The outputs in DDL order.
    public var outputs: [OutputDDL] { ddl.dataQuery?.outputs ?? [] }

    /// Every output as a Symbol key set to its DDL default (nil), in DDL order (data/result.rb).
    public func emptyResult() -> RubyHash { ddl.dataQuery?.defaultReplyData() ?? RubyHash() }

    /// Validates `argument` against the DDL, then queries (MCollective `Data.ddl_validate` + `lookup`).
    public func lookup(_ argument: String?, node: some DataPluginNode) throws(DataPluginError) -> RubyHash {
        try validate(argument)
        return try query(argument, node: node)
    }

    /// `Data.ddl_validate`: a plugin with a `query` input needs a valid argument unless the input
    /// is optional; a plugin without one accepts no argument.
    public func validate(_ argument: String?) throws(DataPluginError) {
        guard let input = ddl.dataQuery?.input(named: AgentDDL.dataQueryName) else {
            if argument != nil {
                throw .invalidQuery(plugin: name, message: "No data plugin argument was declared in the \(name) DDL but an input was supplied")
            }
            return
        }
        guard let argument else {
            if input.optional { return }
            throw .invalidQuery(plugin: name, message: "Cannot validate input query: value should be a string")
        }
        do {
            try ddl.validateQuery(.str(argument))
        } catch {
            throw .invalidQuery(plugin: name, message: error.message)
        }
    }
}

extension AgentDDL {
    /// A data plugin DDL built in code: the metadata, a `query` input (nil for none) and the outputs.
    public static func dataPlugin(
        _ metadata: PluginMetadata, queryDescription: String, input: InputDDL?, outputs: [OutputDDL]
    ) -> AgentDDL {
        AgentDDL(
            kind: .data, metadata: metadata,
            actions: [
                ActionDDL(
                    name: dataQueryName, description: queryDescription, display: .always,
                    inputs: input.map { [$0] } ?? [], outputs: outputs)
            ])
    }
}
