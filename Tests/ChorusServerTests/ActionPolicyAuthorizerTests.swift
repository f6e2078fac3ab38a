import ChorusAgents
import ChorusCore
import ChorusServer
import Foundation
import Logging
import RubyMarshal
import Testing

/// The request-path hook and its configuration: which requests are checked, what a denial
/// replies and counts, and which server.cfg settings refuse to start.
@Suite("ActionPolicy authorizer")
struct ActionPolicyAuthorizerTests {
    static func configuration(_ lines: [String]) throws -> ChorusConfiguration {
        try ChorusConfiguration(parsing: (["identity = node1"] + lines).joined(separator: "\n"), source: "server.cfg", environment: [:])
    }

    static func request(agent: String = "rpcutil", action: String, data: RubyHash = RubyHash(), caller: String = "uid=500") -> Request {
        Request(
            requestID: Request.newRequestID(), senderID: "client", callerID: caller, agent: agent, collective: "mcollective",
            filter: Filter().rubyValue, ttl: 60, messageTime: Int(Date().timeIntervalSince1970),
            body: RPCRequestBody(agent: agent, action: action, caller: caller, data: data).rubyValue)
    }

    @Test("rpcauthorization off: no authorizer; on with action_policy: one rooted at <configdir>/policies")
    func configured() throws {
        #expect(try RequestAuthorizer.configured(by: Self.configuration([]), configFile: "/etc/chorus/server.cfg", logger: Logger(label: "t")) == nil)
        #expect(try RequestAuthorizer.configured(
            by: Self.configuration(["rpcauthorization = 0", "rpcauthprovider = nonsense"]), configFile: "/etc/chorus/server.cfg", logger: Logger(label: "t")) == nil)
        let authorizer = try #require(try RequestAuthorizer.configured(
            by: Self.configuration([
                "rpcauthorization = 1", "rpcauthprovider = Action_Policy", "plugin.actionpolicy.allow_unconfigured = y",
                "plugin.actionpolicy.enable_default = true", "plugin.actionpolicy.default_name = site",
            ]),
            configFile: "/etc/chorus/server.cfg", logger: Logger(label: "t")))
        #expect(authorizer.store.settings == ActionPolicySettings(directory: "/etc/chorus/policies", allowUnconfigured: true, enableDefault: true, defaultName: "site"))
        #expect(authorizer.store.settings.defaultPolicyFile == "/etc/chorus/policies/site.policy")
        #expect(authorizer.store.settings.groupsFile == "/etc/chorus/policies/groups")
    }

    @Test("settings the node refuses to start with, each message naming the key", arguments: [
        (["rpcauthorization = 1"], "no rpcauthprovider is set"),
        (["rpcauthorization = 1", "rpcauthprovider = actionpolicy"], "rpcauthprovider = actionpolicy is not supported"),
        (["rpcauthorization = 1", "rpcauthprovider = action_policy", "plugin.actionpolicy.allow_unconfigured = sometimes"], "plugin.actionpolicy.allow_unconfigured = sometimes is not a boolean"),
        (["rpcauthorization = 1", "rpcauthprovider = action_policy", "plugin.actionpolicy.enable_default = 2"], "plugin.actionpolicy.enable_default = 2"),
        (["rpcauthorization = 1", "rpcauthprovider = action_policy", "plugin.actionpolicy.default_name = ../../etc/x"], "default_name = ../../etc/x is not a plain file name"),
        (["rpcauthorization = 1", "rpcauthprovider = action_policy", "plugin.actionpolicy.default_name = .."], "not a plain file name"),
    ])
    func refusals(lines: [String], fragment: String) throws {
        do {
            _ = try RequestAuthorizer.configured(by: Self.configuration(lines), configFile: "/etc/chorus/server.cfg", logger: Logger(label: "t"))
            Issue.record("\(lines) was accepted")
        } catch {
            #expect("\(error)".contains(fragment), "\(error)")
        }
    }

    @Test("a denied SimpleRPC request: status 1, the exact message, the action's default outputs, counted; allowed requests pass")
    func denial() throws {
        let node = try TestNode(facts: "role: db\n")
        defer { node.remove() }
        let policies = node.directory.appendingPathComponent("policies")
        try FileManager.default.createDirectory(at: policies, withIntermediateDirectories: true)
        try "policy default deny\nallow\t*\tping\t*\nallow\tuid=500\tget_fact\t!role=db\t*\n"
            .write(to: policies.appendingPathComponent("rpcutil.policy"), atomically: true, encoding: .utf8)
        let authorizer = RequestAuthorizer(settings: ActionPolicySettings(directory: policies.path), logger: Logger(label: "t"))
        let rpcutil = try #require(node.state.agent(named: "rpcutil"))

        guard case .permitted = authorizer.check(Self.request(action: "ping"), agent: rpcutil, node: node.state) else {
            Issue.record("ping was refused")
            return
        }
        let getFact = Self.request(action: "get_fact", data: RubyHash(symbolKeys: ["fact": .str("role")]))
        guard case .refused(let body?) = authorizer.check(getFact, agent: rpcutil, node: node.state) else {
            Issue.record("get_fact on a db node was not refused with a reply")
            return
        }
        let reply = try #require(RPCReplyBody(body))
        #expect(reply.statusCode == 1)
        #expect(reply.statusMessage == "You are not authorized to call this agent or action.")
        #expect(reply.data == rpcutil.ddl.action(named: "get_fact")?.defaultReplyData())
        #expect(reply.data["fact"] != nil && reply.data["value"] != nil)

        var quiet = RubyHash(symbolKeys: ["fact": .str("role")])
        quiet.set(false, forSymbol: "process_results")
        guard case .refused(nil) = authorizer.check(Self.request(action: "get_fact", data: quiet), agent: rpcutil, node: node.state) else {
            Issue.record("a no-results request got a reply")
            return
        }
        #expect(node.statistics.snapshot.unauthorized == 2)
    }

    @Test("discovery is not subject to SimpleRPC authorization, as in MCollective")
    func discoveryIsExempt() throws {
        let node = try TestNode()
        defer { node.remove() }
        let authorizer = RequestAuthorizer(
            settings: ActionPolicySettings(directory: node.directory.appendingPathComponent("policies").path), logger: Logger(label: "t"))
        let discovery = try #require(node.state.agent(named: "discovery"))
        let ping = Request(
            requestID: Request.newRequestID(), senderID: "client", callerID: "uid=500", agent: "discovery", collective: "mcollective",
            filter: Filter().rubyValue, ttl: 60, messageTime: Int(Date().timeIntervalSince1970), body: .str("ping"))
        guard case .permitted = authorizer.check(ping, agent: discovery, node: node.state) else {
            Issue.record("discovery was refused")
            return
        }
        let rpcutil = try #require(node.state.agent(named: "rpcutil"))
        guard case .refused = authorizer.check(Self.request(action: "ping"), agent: rpcutil, node: node.state) else {
            Issue.record("rpcutil without a policy and allow_unconfigured = 0 was allowed")
            return
        }
        #expect(node.statistics.snapshot.unauthorized == 1)
    }
}
