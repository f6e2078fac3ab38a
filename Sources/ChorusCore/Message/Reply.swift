import RubyMarshal

/// A node's reply as it travels back (MCollective's reply envelope, security/base.rb `create_reply`).
public struct Reply: Sendable, Hashable {
    /// The replying node's identity.
    public var senderID: String
    public var requestID: String
    /// The agent that produced the reply.
    public var senderAgent: String
    public var messageTime: Int
    /// The decoded body: `"pong"` for discovery, `{:statuscode, :statusmsg, :data}` for RPC.
    public var body: RubyValue

    public init(senderID: String, requestID: String, senderAgent: String, messageTime: Int, body: RubyValue) {
        self.senderID = senderID
        self.requestID = requestID
        self.senderAgent = senderAgent
        self.messageTime = messageTime
        self.body = body
    }
}
