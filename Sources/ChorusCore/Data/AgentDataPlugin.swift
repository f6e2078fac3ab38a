import RubyMarshal

/// `agent('rpcutil').version`: a loaded agent's metadata (MCollective agent_data.rb).
///
/// Outputs as MCollective 2.12 has them: `license`, `timeout`, `description`, `url`, `version`,
/// `author` (the DDL's), then `agent` (the queried name). An unknown agent is an error.
public struct AgentDataPlugin: DataPlugin {
    public init() {}

    public let ddl = AgentDDL.dataPlugin(
        PluginMetadata(
            name: "agent", description: "Meta data about installed MColletive Agents",
            author: "R.I.Pienaar <rip@devco.net>", license: "ASL 2.0", version: "1.0",
            url: "https://docs.puppetlabs.com/mcollective/", timeout: 1),
        queryDescription: "Agent Meta Data",
        input: DataPluginDDLs.queryInput(
            prompt: "Agent Name", description: "Valid agent name", pattern: "^[\\w\\_]+$", maxLength: 20),
        outputs: ["license", "timeout", "description", "url", "version", "author"].map {
            DataPluginDDLs.output($0, "Agent \($0)", $0.prefix(1).uppercased() + $0.dropFirst())
        })

    public func query(_ argument: String?, node: some DataPluginNode) throws(DataPluginError) -> RubyHash {
        let agent = argument ?? ""
        guard node.agents.contains(agent), let meta = node.agentMetadata(agent) else {
            throw .failed(plugin: name, message: "No agent called \(agent) found")
        }
        var result = emptyResult()
        result.set(.str(agent), forSymbol: "agent")
        result.set(.str(meta.license), forSymbol: "license")
        result.set(.int(meta.timeout), forSymbol: "timeout")
        result.set(.str(meta.description), forSymbol: "description")
        result.set(.str(meta.url), forSymbol: "url")
        result.set(.str(meta.version), forSymbol: "version")
        result.set(.str(meta.author), forSymbol: "author")
        return result
    }
}
