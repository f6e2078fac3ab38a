import ChorusCore
import ChorusSecurity
import ChorusServer
import Foundation
import RubyMarshal
import Testing

@Suite("The node's request pipeline without a broker")
struct RequestAdmissionTests {
    static let psk = try! PSKSecurityProvider(psk: "k", callerID: "uid=0")

    static func request(agent: String = "rpcutil", filter: Filter = Filter(), collective: String = "mcollective", age: Int = 0, body: RubyValue? = nil) -> Request {
        Request(
            requestID: Request.newRequestID(), senderID: "client", callerID: "uid=0", agent: agent, collective: collective,
            filter: filter.rubyValue, ttl: 60, messageTime: Int(Date().timeIntervalSince1970) - age,
            body: body ?? RPCRequestBody(agent: agent, action: "ping", caller: "uid=0", data: RubyHash()).rubyValue)
    }

    func admit(_ request: Request, node: TestNode) throws -> RequestAdmission.Decision {
        let admission = RequestAdmission(security: Self.psk, statistics: node.statistics, collectives: node.state.collectives)
        return admission.admit(try Self.psk.encodeRequest(request), now: Int(Date().timeIntervalSince1970), node: node.state)
    }

    @Test("each rejection path is taken and counted")
    func decisions() throws {
        let node = try TestNode()
        defer { node.remove() }
        var web = Filter()
        try web.addFact("role=web")
        var db = Filter()
        try db.addFact("role=db")

        guard case .accepted(_, let agent) = try admit(Self.request(filter: web), node: node) else { Issue.record("not accepted"); return }
        #expect(agent.name == "rpcutil")
        guard case .notTargeted = try admit(Self.request(filter: db), node: node) else { Issue.record("db filter matched"); return }
        guard case .expired(_, let age) = try admit(Self.request(age: 120), node: node) else { Issue.record("not expired"); return }
        #expect(age >= 120)
        guard case .expired = try admit(Self.request(age: -3600), node: node) else { Issue.record("future message accepted"); return }
        guard case .wrongCollective = try admit(Self.request(collective: "asia"), node: node) else { Issue.record("wrong collective accepted"); return }
        guard case .accepted = try admit(Self.request(collective: "eu"), node: node) else { Issue.record("sub-collective refused"); return }
        guard case .unknownAgent = try admit(Self.request(agent: "nosuch"), node: node) else { Issue.record("unknown agent accepted"); return }

        let admission = RequestAdmission(security: Self.psk, statistics: node.statistics, collectives: ["mcollective"])
        guard case .rejected = admission.admit([0x04, 0x08, 0x5b], now: 0, node: node.state) else { Issue.record("garbage accepted"); return }

        let stats = node.statistics.snapshot
        #expect(stats.total == 8)
        #expect(stats.validated == 7)
        #expect(stats.unvalidated == 1)
        #expect(stats.ttlExpired == 2)
        #expect(stats.filtered == 2)
        #expect(stats.passed == 3)
        #expect(stats.unknownAgent == 1)
    }

    @Test("SimpleRPC status codes from the real rpcutil agent")
    func statusCodes() async throws {
        let node = try TestNode()
        defer { node.remove() }
        let agent = try #require(node.state.agent(named: "rpcutil"))
        func run(_ action: String, _ data: RubyHash = RubyHash()) async throws -> RPCReplyBody {
            var withResults = data
            withResults.set(.bool(true), forSymbol: "process_results")
            let request = Self.request(body: RPCRequestBody(agent: "rpcutil", action: action, caller: "uid=0", data: withResults).rubyValue)
            let value = await agent.handle(request, node: node.state)
            let body = try #require(value)
            return try #require(RPCReplyBody(body))
        }
        let fact = try await run("get_fact", RubyHash(symbolKeys: ["fact": "cores"]))
        #expect(fact.statusCode == 0 && fact.data["value"] == .str("4"))
        let missingFact = try await run("get_fact", RubyHash(symbolKeys: ["fact": "nosuch"]))
        #expect(missingFact.statusCode == 0 && missingFact.data["value"] == .nil)
        let undeclared = try await run("frobnicate")
        #expect(undeclared.statusCode == 4)
        let invalid = try await run("get_fact", RubyHash(symbolKeys: ["fact": "no spaces allowed"]))
        #expect(invalid.statusCode == 4)
        #expect(invalid.data["value"] != nil, "outputs are pre-filled even on failure")
        let unknownItem = try await run("get_config_item", RubyHash(symbolKeys: ["item": "nosuch"]))
        #expect(unknownItem.statusCode == 1 && unknownItem.statusMessage == "Unknown config property nosuch")
        let unknownSource = try await run("get_data", RubyHash(symbolKeys: ["source": "nosuch"]))
        #expect(unknownSource.statusCode == 1)
        let classes = try await run("inventory")
        #expect(classes.data["classes"] == .array(["common", "web::nginx"]))

        let quiet = Self.request(body: RPCRequestBody(agent: "rpcutil", action: "ping", caller: "uid=0", data: RubyHash(symbolKeys: ["process_results": false])).rubyValue)
        #expect(await agent.handle(quiet, node: node.state) == nil, "process_results false: no reply")
    }

    @Test("the discovery agent answers pong")
    func discovery() async throws {
        let node = try TestNode()
        defer { node.remove() }
        let agent = try #require(node.state.agent(named: "discovery"))
        #expect(await agent.handle(Self.request(agent: "discovery", body: .str("ping")), node: node.state) == .str("pong"))
    }
}
