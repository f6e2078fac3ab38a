import RubyMarshal

/// `collective('name').member`: whether the node belongs to a collective (MCollective collective_data.rb).
public struct CollectiveDataPlugin: DataPlugin {
    public init() {}

    public let ddl = AgentDDL.dataPlugin(
        PluginMetadata(
            name: "collective", description: "Collective membership", author: "Puppet Labs", license: "ASL 2.0",
            version: "1.0", url: "http://marionette-collective.org/", timeout: 1),
        queryDescription: "Collective",
        input: DataPluginDDLs.queryInput(
            prompt: "Collective", description: "Collective name to ask about, eg mcollective", pattern: ".",
            maxLength: 256),
        outputs: [DataPluginDDLs.output("member", "Node is a member of the named collective", "member")])

    public func query(_ argument: String?, node: some DataPluginNode) throws(DataPluginError) -> RubyHash {
        var result = emptyResult()
        result.set(.bool(node.collectives.contains(argument ?? "")), forSymbol: "member")
        return result
    }
}
