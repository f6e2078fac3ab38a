import ChorusCore
import RubyMarshal

/// Runs an accepted request's agent under the agent's DDL timeout (MCollective dispatches
/// each request in a thread under `Timeout(agent.timeout)`).
public enum AgentDispatcher {
    public enum Outcome: Sendable, Equatable {
        /// The agent finished; the body to send back, or nil for no reply.
        case finished(RubyValue?)
        /// The agent was still running when its time ran out (it is cancelled).
        case timedOut
    }

    public static func run(_ agent: any Agent, request: Request, node: any NodeContext, timeout: Duration) async -> Outcome {
        await withTaskGroup(of: Outcome.self) { group in
            group.addTask { .finished(await agent.handle(request, node: node)) }
            group.addTask {
                do {
                    try await Task.sleep(for: timeout)
                    return .timedOut
                } catch {
                    return .finished(nil)
                }
            }
            let first = await group.next() ?? .timedOut
            group.cancelAll()
            return first
        }
    }

    /// The reply a timed-out SimpleRPC request gets (status 5), unless it asked for no reply.
    /// MCollective sends nothing and the client waits in vain; Chorus tells the client why.
    public static func timeoutReply(for request: Request, agent: String, seconds: Int) -> RubyValue? {
        guard RPCRequestBody(request.body)?.wantsReply ?? true else { return nil }
        let message = "Timeout: \(agent) did not finish within \(seconds) seconds"
        return RPCReplyBody(status: .unknownError, message: message, data: RubyHash()).rubyValue
    }
}
