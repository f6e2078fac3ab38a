import RubyMarshal

/// A request as it travels between client and nodes, independent of the security provider
/// that signs it (MCollective's request envelope, security/base.rb `create_request`).
public struct Request: Sendable, Hashable {
    /// 32 lowercase hex characters, shared by every node's copy of one request.
    public var requestID: String
    /// The sending client's identity (`:senderid`).
    public var senderID: String
    /// Who the caller claims to be (`uid=0`, `cert=name`); checked by the security provider.
    public var callerID: String
    /// The agent addressed (`discovery` for discovery pings).
    public var agent: String
    public var collective: String
    /// The filter hash exactly as it travels (see `Filter.rubyValue`).
    public var filter: RubyValue
    /// Seconds the request stays valid after `messageTime`.
    public var ttl: Int
    /// Seconds since the epoch when the request was created.
    public var messageTime: Int
    /// The decoded body: the String `"ping"` for discovery, an RPC body hash otherwise.
    public var body: RubyValue

    public init(
        requestID: String, senderID: String, callerID: String, agent: String, collective: String,
        filter: RubyValue, ttl: Int, messageTime: Int, body: RubyValue
    ) {
        self.requestID = requestID
        self.senderID = senderID
        self.callerID = callerID
        self.agent = agent
        self.collective = collective
        self.filter = filter
        self.ttl = ttl
        self.messageTime = messageTime
        self.body = body
    }

    /// A fresh request id: 128 random bits as 32 hex characters, like MCollective's `SSL.uuid` without dashes.
    public static func newRequestID() -> String {
        var generator = SystemRandomNumberGenerator()
        let high = generator.next() as UInt64
        let low = generator.next() as UInt64
        return hex64(high) + hex64(low)
    }

    private static func hex64(_ value: UInt64) -> String {
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: 16 - digits.count) + digits
    }

    /// True when the request is older than its TTL at `now` (MCollective's MsgTTLExpired rule: `now - msgtime > ttl`).
    public func isExpired(now: Int) -> Bool { now - messageTime > ttl }
}
