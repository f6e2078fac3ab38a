import RubyMarshal

/// The body of a SimpleRPC request: `{:agent, :action, :caller, :data}` (rpc/client.rb).
public struct RPCRequestBody: Sendable, Hashable {
    public var agent: String
    public var action: String
    public var caller: String
    /// Inputs with Symbol keys, plus `:process_results` unless batched.
    public var data: RubyHash

    public init(agent: String, action: String, caller: String, data: RubyHash) {
        self.agent = agent
        self.action = action
        self.caller = caller
        self.data = data
    }

    /// Reads a body; MCollective accepts String as well as Symbol keys (rpc/request.rb).
    public init?(_ value: RubyValue) {
        guard case .hash(let hash) = value,
            let action = hash["action"]?.stringValue
        else { return nil }
        self.action = action
        self.agent = hash["agent"]?.stringValue ?? ""
        self.caller = hash["caller"]?.stringValue ?? ""
        self.data = hash["data"]?.asHash ?? RubyHash()
    }

    /// The body as MCollective's client marshals it: text as UTF-8 except the action (a Symbol's `to_s`, US-ASCII).
    public var rubyValue: RubyValue {
        .hash(RubyHash(symbolKeys: [
            "agent": .str(agent),
            "action": .ascii(action),
            "caller": .str(caller),
            "data": .hash(data),
        ]))
    }

    /// False when the caller asked for no reply (`--no-results`, `:process_results => false`).
    public var wantsReply: Bool {
        data["process_results"]?.boolValue ?? true
    }

    /// The inputs without the transport key `process_results`.
    public var arguments: RubyHash {
        var copy = data
        copy.remove(.symbol("process_results"))
        copy.remove(.str("process_results"))
        return copy
    }
}
