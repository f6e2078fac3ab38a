import ChorusCore
import RubyMarshal

/// One audited request: what MCollective's `RPC::Request` hands its audit plugin
/// (rpc/request.rb), plus the moment it was audited.
public struct AuditRecord: Sendable, Equatable {
    /// When the request was audited: seconds since the epoch and the nanoseconds after them.
    public var seconds: Int
    public var nanoseconds: Int
    /// `request.uniqid`: the envelope's `:requestid`.
    public var requestID: String
    /// `request.time`: the envelope's `:msgtime`.
    public var requestTime: Int
    /// `request.caller`: the envelope's `:callerid`.
    public var caller: String
    /// `request.sender`: the envelope's `:senderid`.
    public var sender: String
    /// `request.agent`: the body's `:agent` (the envelope's when the body has none).
    public var agent: String
    /// `request.action`: the body's `:action`.
    public var action: String
    /// `request.data`: the body's `:data` exactly as received (`:process_results` included).
    public var data: RubyValue

    public init(
        seconds: Int, nanoseconds: Int = 0, requestID: String, requestTime: Int, caller: String, sender: String,
        agent: String, action: String, data: RubyValue
    ) {
        self.seconds = seconds
        self.nanoseconds = nanoseconds
        self.requestID = requestID
        self.requestTime = requestTime
        self.caller = caller
        self.sender = sender
        self.agent = agent
        self.action = action
        self.data = data
    }

    /// The record for `request` when MCollective would audit it: a SimpleRPC request for an
    /// action the agent's DDL declares, with inputs that pass validation (rpc/agent.rb audits
    /// after `validate!` and the authorization hook, before the action runs). Nil otherwise:
    /// such requests fail with status 4 without running anything.
    public static func auditable(_ request: Request, ddl: AgentDDL, seconds: Int, nanoseconds: Int = 0) -> AuditRecord? {
        guard let body = RPCRequestBody(request.body), ddl.action(named: body.action) != nil else { return nil }
        var arguments = body.arguments
        guard (try? ddl.validateRequest(action: body.action, arguments: &arguments)) != nil else { return nil }
        let data = request.body["data"] ?? .nil
        return AuditRecord(
            seconds: seconds, nanoseconds: nanoseconds, requestID: request.requestID, requestTime: request.messageTime,
            caller: request.callerID, sender: request.senderID, agent: body.agent.isEmpty ? request.agent : body.agent,
            action: body.action, data: data)
    }
}
