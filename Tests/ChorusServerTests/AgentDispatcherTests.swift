import ChorusCore
import ChorusServer
import RubyMarshal
import Testing

/// An agent that takes as long as asked: a real `RPCAgent`, used to exercise timeouts.
struct SleepAgent: RPCAgent {
    let ddl: AgentDDL = {
        let json = """
            {"metadata": {"name": "sleeper", "description": "sleeps", "author": "chorus", "license": "Apache-2.0",
                          "version": "1.0", "url": "https://example.invalid", "timeout": 1},
             "actions": [{"name": "nap", "description": "sleep",
                          "inputs": [{"name": "ms", "prompt": "ms", "description": "how long", "type": "integer", "optional": false}],
                          "outputs": [{"name": "slept", "description": "ms slept", "display_as": "Slept"}]}]}
            """
        return try! AgentDDL.load(json: json)
    }()

    func perform(_ request: ActionRequest, reply: inout ActionReply, node: any NodeContext) async throws {
        let ms = request["ms"]?.intValue ?? 0
        try await Task.sleep(for: .milliseconds(ms))
        reply["slept"] = .int(ms)
    }
}

@Suite("Dispatch under the DDL timeout")
struct AgentDispatcherTests {
    func request(ms: Int) -> Request {
        Request(
            requestID: Request.newRequestID(), senderID: "c", callerID: "uid=0", agent: "sleeper", collective: "mcollective",
            filter: Filter().rubyValue, ttl: 60, messageTime: 0,
            body: RPCRequestBody(agent: "sleeper", action: "nap", caller: "uid=0", data: RubyHash(symbolKeys: ["ms": .int(ms), "process_results": true])).rubyValue)
    }

    @Test("a quick action finishes with its reply; a slow one times out and is answered with status 5")
    func timeouts() async throws {
        let node = try TestNode()
        defer { node.remove() }
        let agent = SleepAgent()
        let quick = await AgentDispatcher.run(agent, request: request(ms: 10), node: node.state, timeout: .milliseconds(500))
        guard case .finished(let value?) = quick, let body = RPCReplyBody(value) else {
            Issue.record("quick action did not finish: \(quick)")
            return
        }
        #expect(body.statusCode == 0 && body.data["slept"] == .int(10))

        let clock = ContinuousClock()
        let started = clock.now
        // A minute-long action against a 200 ms timeout: returning within half of that minute
        // proves it was cancelled, not awaited, however loaded the machine is.
        let slow = await AgentDispatcher.run(agent, request: request(ms: 60_000), node: node.state, timeout: .milliseconds(200))
        #expect(slow == .timedOut)
        #expect(clock.now - started < .seconds(30), "the slow action is cancelled, not awaited")
        let reply = try #require(AgentDispatcher.timeoutReply(for: request(ms: 5_000), agent: "sleeper", seconds: 1))
        #expect(RPCReplyBody(reply)?.statusCode == 5)
    }
}
