import RubyMarshal

/// One action of an agent: what it takes, what it returns and how the client shows it.
/// A data plugin's query is described by an `ActionDDL` named `query` too.
public struct ActionDDL: Sendable, Hashable {
    public var name: String
    public var description: String
    /// Which replies the client prints by default.
    public var display: DisplayPolicy
    /// Inputs in DDL order.
    public var inputs: [InputDDL]
    /// Outputs in DDL order.
    public var outputs: [OutputDDL]
    /// Aggregate functions the client runs over the replies.
    public var aggregates: [AggregateSpec]

    public init(
        name: String, description: String, display: DisplayPolicy = .failed, inputs: [InputDDL] = [],
        outputs: [OutputDDL] = [], aggregates: [AggregateSpec] = []
    ) {
        self.name = name
        self.description = description
        self.display = display
        self.inputs = inputs
        self.outputs = outputs
        self.aggregates = aggregates
    }

    /// The input with this name.
    public func input(named name: String) -> InputDDL? { inputs.first { $0.name == name } }

    /// The output with this name.
    public func output(named name: String) -> OutputDDL? { outputs.first { $0.name == name } }

    /// The label shown for an output: its `display_as`, or the key itself when undeclared.
    public func displayName(forOutput name: String) -> String { output(named: name)?.displayAs ?? name }

    /// The reply data an action starts from: every output as a Symbol key set to its default
    /// (or nil), in DDL order, so even a failed reply carries every key (rpc/reply.rb).
    public func defaultReplyData() -> RubyHash {
        var data = RubyHash()
        data.pairs.reserveCapacity(outputs.count)
        for output in outputs {
            data.pairs.append(RubyHash.Pair(key: .symbol(output.name), value: output.default ?? .nil))
        }
        return data
    }
}
