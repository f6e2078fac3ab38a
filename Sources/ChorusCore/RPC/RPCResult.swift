import RubyMarshal

/// One node's answer to an RPC request, as the client sees it.
public struct RPCResult: Sendable, Hashable {
    /// The replying node's identity (`:senderid`).
    public var sender: String
    public var agent: String
    public var action: String
    /// 0–5; see `StatusCode`. Kept as an Int because a peer may send any number.
    public var statusCode: Int
    public var statusMessage: String
    /// The reply's `:data` hash (Symbol keys as sent by the node).
    public var data: RubyHash

    public init(sender: String, agent: String, action: String, statusCode: Int, statusMessage: String, data: RubyHash) {
        self.sender = sender
        self.agent = agent
        self.action = action
        self.statusCode = statusCode
        self.statusMessage = statusMessage
        self.data = data
    }

    public var status: StatusCode? { StatusCode(rawValue: statusCode) }
    public var succeeded: Bool { statusCode == 0 }
}
