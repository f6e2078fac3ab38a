import ChorusCore
import ChorusServer
import Foundation
import RubyMarshal
import Testing

/// Deciding requests against parsed policies, with nodes given as values (facts, classes and
/// the real `fact` and `fstat` data plugins).
@Suite("ActionPolicy evaluation")
struct ActionPolicyEvaluationTests {
    static func node(role: String = "web", classes: [String] = ["common", "web::nginx"]) -> NodeSnapshot {
        NodeSnapshot(
            identity: "node1", facts: RubyHash(stringKeys: ["role": .str(role), "customer": .str("acme"), "cores": .str("4")]),
            classes: classes, dataPlugins: [FactDataPlugin(), FstatDataPlugin()])
    }

    static func decide(
        _ text: String, caller: String = "uid=500", action: String = "status", groups: PolicyGroups = .none,
        allowUnconfigured: Bool = false, node: NodeSnapshot = node()
    ) throws -> ActionPolicy.Outcome {
        try ActionPolicy(parsing: text).evaluate(caller: caller, action: action, groups: groups, allowUnconfigured: allowUnconfigured, node: node)
    }

    @Test("the first matching line wins, whichever verdict it has")
    func firstMatchWins() throws {
        let allowFirst = "policy default deny\nallow\tuid=500\t*\t*\ndeny\tuid=500\t*\t*\n"
        #expect(try Self.decide(allowFirst) == .init(verdict: .allow, basis: .rule(line: 2)))
        let denyFirst = "policy default allow\ndeny\t*\tstatus\t*\nallow\tuid=500\t*\t*\n"
        #expect(try Self.decide(denyFirst) == .init(verdict: .deny, basis: .rule(line: 2)))
        #expect(try Self.decide(denyFirst, action: "ping") == .init(verdict: .allow, basis: .rule(line: 3)))
    }

    @Test("no matching rule: policy default allow|deny, else allow_unconfigured")
    func defaults() throws {
        #expect(try Self.decide("policy default allow\ndeny\tuid=1\t*\t*") == .init(verdict: .allow, basis: .policyDefault(line: 1)))
        #expect(try Self.decide("deny\tuid=1\t*\t*\npolicy default deny") == .init(verdict: .deny, basis: .policyDefault(line: 2)))
        #expect(try Self.decide("deny\tuid=1\t*\t*", allowUnconfigured: false) == .init(verdict: .deny, basis: .allowUnconfigured))
        #expect(try Self.decide("deny\tuid=1\t*\t*", allowUnconfigured: true) == .init(verdict: .allow, basis: .allowUnconfigured))
        #expect(try Self.decide("", allowUnconfigured: false).verdict == .deny)
    }

    @Test("callers: *, whole caller ids (no substring matches), and groups from the groups file")
    func callers() throws {
        let byID = "policy default deny\nallow\tuid=500 cert=peadmin-public\t*\t*"
        #expect(try Self.decide(byID, caller: "uid=500").verdict == .allow)
        #expect(try Self.decide(byID, caller: "cert=peadmin-public").verdict == .allow)
        #expect(try Self.decide(byID, caller: "uid=50").verdict == .deny, "actionpolicy.rb matched substrings; Chorus does not")
        #expect(try Self.decide(byID, caller: "uid=5000").verdict == .deny)
        #expect(try Self.decide(byID, caller: "cert=peadmin").verdict == .deny)

        #expect(try Self.decide("policy default deny\nallow\t*\tstatus\t*", caller: "uid=12345").verdict == .allow)

        let groups = try PolicyGroups(parsing: "admins uid=501 uid=502\nauditors cert=alice\n")
        let byGroup = "policy default deny\nallow\tauditors admins\t*\t*"
        #expect(try Self.decide(byGroup, caller: "uid=502", groups: groups).verdict == .allow)
        #expect(try Self.decide(byGroup, caller: "cert=alice", groups: groups).verdict == .allow)
        #expect(try Self.decide(byGroup, caller: "uid=503", groups: groups).verdict == .deny)
        #expect(try Self.decide(byGroup, caller: "uid=502", groups: .none).verdict == .deny)
        #expect(try Self.decide(byGroup, caller: "admins", groups: groups).verdict == .allow, "a listed name matches a caller id spelled the same")
    }

    @Test("actions: * or any listed action")
    func actions() throws {
        let policy = "policy default deny\nallow\t*\tenable disable status\t*"
        for action in ["enable", "disable", "status"] {
            #expect(try Self.decide(policy, action: action).verdict == .allow)
        }
        #expect(try Self.decide(policy, action: "restart").verdict == .deny)
        #expect(try Self.decide(policy, action: "stat").verdict == .deny)
    }

    @Test("facts terms and classes, all required; classes may be /regexes/")
    func factsAndClasses() throws {
        let policy = "policy default deny\nallow\t*\t*\tcustomer=acme cores>2\tcommon /^web::/"
        #expect(try Self.decide(policy).verdict == .allow)
        #expect(try Self.decide(policy, node: Self.node(classes: ["common", "db::postgres"])).verdict == .deny)
        #expect(try Self.decide(policy, node: Self.node(classes: ["web::nginx"])).verdict == .deny)
        #expect(try Self.decide("policy default deny\nallow\t*\t*\tcustomer=acme cores>8\t*").verdict == .deny)
        #expect(try Self.decide("policy default deny\nallow\t*\t*\tnosuchfact=x\t*").verdict == .deny)
        #expect(try Self.decide("policy default allow\ndeny\t*\t*\trole=db\t*", node: Self.node(role: "db")).verdict == .deny)
        #expect(try Self.decide("policy default allow\ndeny\t*\t*\trole=db\t*", node: Self.node(role: "web")).verdict == .allow)
    }

    @Test("a compound expression with the fact() data plugin")
    func compoundWithFactPlugin() throws {
        let policy = "policy default allow\ndeny\t*\tget_fact\tfact('role').value=db or role=cache"
        #expect(try Self.decide(policy, action: "get_fact", node: Self.node(role: "db")) == .init(verdict: .deny, basis: .rule(line: 2)))
        #expect(try Self.decide(policy, action: "get_fact", node: Self.node(role: "cache")).verdict == .deny)
        #expect(try Self.decide(policy, action: "get_fact", node: Self.node(role: "web")).verdict == .allow)
        #expect(try Self.decide(policy, action: "ping", node: Self.node(role: "db")).verdict == .allow)
    }

    @Test("a compound expression with the fstat() data plugin reads the real file system")
    func compoundWithFstat() throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("ap-fstat-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: file) }
        let policy = "policy default deny\nallow\t*\t*\tfstat('\(file)').size>0 and not role=db"
        #expect(try Self.decide(policy).verdict == .deny, "the file does not exist yet")
        try "maintenance window open\n".write(toFile: file, atomically: true, encoding: .utf8)
        #expect(try Self.decide(policy) == .init(verdict: .allow, basis: .rule(line: 2)))
        #expect(try Self.decide(policy, node: Self.node(role: "db")).verdict == .deny)
        try "".write(toFile: file, atomically: true, encoding: .utf8)
        #expect(try Self.decide(policy).verdict == .deny)
    }

    @Test("a condition that cannot be evaluated (no such data plugin) does not match")
    func unevaluableCondition() throws {
        #expect(try Self.decide("policy default deny\nallow\t*\t*\tnosuch('x').value=1").verdict == .deny)
        #expect(try Self.decide("policy default allow\ndeny\t*\t*\tnosuch('x').value=1\nallow\t*\t*\t*") == .init(verdict: .allow, basis: .rule(line: 3)))
    }

    @Test("the README example decides like actionpolicy's spec (example15)")
    func readmeScenarios() throws {
        let text = ActionPolicyParserTests.readme
        #expect(try Self.decide(text, caller: "uid=500", action: "anything").verdict == .allow)
        let devserver = Self.node(classes: ["acme::devserver"])
        #expect(try Self.decide(text, caller: "uid=600", action: "runonce", node: devserver) == .init(verdict: .allow, basis: .rule(line: 3)))
        #expect(try Self.decide(text, caller: "uid=600", action: "runonce").verdict == .deny)
        #expect(try Self.decide(text, caller: "uid=600", action: "status") == .init(verdict: .allow, basis: .rule(line: 4)))
        #expect(try Self.decide(text, caller: "uid=601", action: "status") == .init(verdict: .deny, basis: .policyDefault(line: 1)))
    }

    @Test("the node is only consulted when callers and actions match, and at most once")
    func lazyNode() throws {
        let policy = try ActionPolicy(parsing: "policy default deny\ndeny\tuid=1\t*\trole=db\t*\nallow\t*\tstatus\trole=x\t*\nallow\t*\tstatus\trole=web\t*")
        var calls = 0
        let outcome = policy.evaluate(caller: "uid=2", action: "status", allowUnconfigured: false) { () -> NodeSnapshot in
            calls += 1
            return Self.node()
        }
        #expect(outcome == .init(verdict: .allow, basis: .rule(line: 4)))
        #expect(calls == 1)
        calls = 0
        _ = policy.evaluate(caller: "uid=2", action: "ping", allowUnconfigured: false) { () -> NodeSnapshot in
            calls += 1
            return Self.node()
        }
        #expect(calls == 0)
    }
}
