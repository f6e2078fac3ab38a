import RubyMarshal

/// `fact('path').value`: structured fact lookup (MCollective fact_data.rb).
///
/// The query is a dotted path (`networking.interfaces.eth0`); Array levels take an index.
/// Outputs, in order: `exists` (Boolean), `value` (the fact; Arrays and Hashes as JSON text),
/// `value_encoding` (`text/plain` or `application/json`). A missing path gives
/// `exists => false, value => false, value_encoding => false`.
public struct FactDataPlugin: DataPlugin {
    public init() {}

    public let ddl = AgentDDL.dataPlugin(
        PluginMetadata(
            name: "fact", description: "Structured fact query", author: "Puppet Labs", license: "ASL 2.0",
            version: "1.0", url: "http://marionette-collective.org/", timeout: 1),
        queryDescription: "Fact",
        input: DataPluginDDLs.queryInput(
            prompt: "Fact Path", description: "Path to a fact, eg network.eth0.address", pattern: ".",
            maxLength: 256),
        outputs: [
            DataPluginDDLs.output("exists", "Fact is present", "exists"),
            DataPluginDDLs.output("value", "Fact value", "value"),
            DataPluginDDLs.output(
                "value_encoding", "Encoding of the fact value (text/plain or application/json)", "value_encoding"),
        ])

    public func query(_ argument: String?, node: some DataPluginNode) throws(DataPluginError) -> RubyHash {
        var result = emptyResult()
        result.set(false, forSymbol: "exists")
        result.set(false, forSymbol: "value")
        result.set(false, forSymbol: "value_encoding")

        // Ruby's `split(/\./)`: trailing empty levels are dropped.
        var levels = (argument ?? "").split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        while levels.last?.isEmpty == true { levels.removeLast() }

        var current = RubyValue.hash(node.facts)
        for level in levels {
            switch current {
            case .array(let elements):
                guard let index = Int(level) else {
                    throw .failed(plugin: name, message: "invalid value for Integer(): \"\(level)\"")
                }
                guard index < elements.count else { return result }
                let position = index >= 0 ? index : elements.count + index
                current = position >= 0 ? elements[position] : .nil
            case .hash(let hash):
                guard let next = hash[.str(level)] ?? hash[level] else { return result }
                current = next
            default:
                return result
            }
        }

        switch current {
        case .array, .hash:
            result.set(.str(current.jsonString()), forSymbol: "value")
            result.set(.str("application/json"), forSymbol: "value_encoding")
        case .nil:
            throw .failed(plugin: name, message: "Can only store String, Integer, Float or Boolean data but got NilClass for key value")
        default:
            result.set(current, forSymbol: "value")
            result.set(.str("text/plain"), forSymbol: "value_encoding")
        }
        result.set(true, forSymbol: "exists")
        return result
    }
}
