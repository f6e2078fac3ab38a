import ChorusCore
import ChorusServer
import RubyMarshal

/// `discovery`: answers the `mc` discovery method's broadcast `"ping"` with `"pong"`
/// (MCollective's agent/discovery.rb). The request filter already did the selecting.
public struct DiscoveryAgent: Agent {
    public let ddl: AgentDDL
    public let name = "discovery"

    public init() throws {
        ddl = try BuiltinDDL.discovery()
    }

    public func handle(_ request: Request, node: any NodeContext) async -> RubyValue? {
        if request.body.stringValue == "ping" { return .str("pong") }
        // A SimpleRPC-shaped body (as `mco rpc discovery ping` sends) gets a SimpleRPC answer.
        guard let body = RPCRequestBody(request.body) else { return nil }
        let reply: RPCReplyBody
        if body.action == "ping" {
            reply = RPCReplyBody(status: .ok, data: RubyHash(symbolKeys: ["message": .str("pong")]))
        } else {
            reply = RPCReplyBody(status: .unknownAction, message: "Unknown action \(body.action) for agent discovery", data: RubyHash())
        }
        return body.wantsReply ? reply.rubyValue : nil
    }
}
