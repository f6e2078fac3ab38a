import ChorusCore
import RubyMarshal

/// A SimpleRPC agent: actions take validated inputs and fill a reply.
///
/// `handle` does what MCollective's rpc/agent.rb does around an action: read the body,
/// check the action is declared, validate the inputs against the DDL (any failure is
/// status 4), pre-fill every output with its default, run the action, map thrown errors
/// to status codes (1–5), and reply unless the caller asked for no results.
public protocol RPCAgent: Agent {
    /// Runs one action. Throw `RPCError` for a specific status, anything else becomes status 5.
    func perform(_ request: ActionRequest, reply: inout ActionReply, node: any NodeContext) async throws
}

extension RPCAgent {
    public func handle(_ request: Request, node: any NodeContext) async -> RubyValue? {
        guard let body = RPCRequestBody(request.body) else {
            return RPCReplyBody(status: .invalidData, message: "Request body is not a SimpleRPC request", data: RubyHash()).rubyValue
        }
        let reply = await run(body, request: request, node: node)
        return body.wantsReply ? reply.rubyValue : nil
    }

    /// The SimpleRPC steps for one decoded body; returns the reply body whether or not it is sent.
    public func run(_ body: RPCRequestBody, request: Request, node: any NodeContext) async -> RPCReplyBody {
        guard let action = ddl.action(named: body.action) else {
            let message = "Attempted to call action \(body.action) for \(name) but it's not declared in the DDL"
            return RPCReplyBody(status: .invalidData, message: message, data: RubyHash())
        }
        var arguments = body.arguments
        var reply = ActionReply(data: action.defaultReplyData())
        do {
            try ddl.validateRequest(action: body.action, arguments: &arguments)
        } catch {
            reply.fail("\(error)", status: .invalidData)
            return reply.body
        }
        let actionRequest = ActionRequest(
            agent: name, action: body.action, arguments: arguments, callerID: request.callerID,
            senderID: request.senderID, requestID: request.requestID, collective: request.collective)
        do {
            try await perform(actionRequest, reply: &reply, node: node)
        } catch let error as RPCError {
            reply.fail(error.message, status: error.status)
        } catch {
            reply.fail("\(error)", status: .unknownError)
        }
        return reply.body
    }
}
