import ChorusCore
import ChorusServer
import FuzzSupport
import RubyMarshal

/// A node with facts, classes and the pure data plugins, for rule conditions to look at.
let node = NodeSnapshot(
    identity: "web1.example.net",
    facts: RubyHash(stringKeys: [
        "role": .str("web"), "customer": .str("acme"), "environment": .str("production"), "cores": .str("4"),
        "country": .str("uk"),
    ]),
    classes: ["settings", "apache", "acme::devserver", "common"],
    agents: ["rpcutil", "service", "puppet"],
    dataPlugins: [FactDataPlugin(), AgentDataPlugin(), CollectiveDataPlugin()])

/// Callers and actions a request may carry, and the groups file a node may have.
let callers = ["uid=500", "uid=0", "cert=peadmin-public", "cert=alice"]
let actions = ["status", "restart", "runonce", "disable"]
let groups = try! PolicyGroups(parsing: "admins uid=500 cert=alice\nops cert=peadmin-public\n")

/// The node's ActionPolicy parser (`<configdir>/policies/<agent>.policy`) on arbitrary text: a
/// policy or an `ActionPolicyError`, never a trap; the groups file parser on the same text. A
/// parsed policy then decides requests: a decision naming a rule must name one of the policy's
/// rules with the same verdict, and one naming the default line must use the policy's default.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzPolicy(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let text = String(decoding: FuzzInput.bytes(data, size), as: UTF8.self)
    _ = try? PolicyGroups(parsing: text, file: "groups")
    guard let policy = try? ActionPolicy(parsing: text, file: "fuzz.policy") else { return 0 }
    for caller in callers {
        for action in actions {
            let outcome = policy.evaluate(
                caller: caller, action: action, groups: groups, allowUnconfigured: false, node: node)
            switch outcome.basis {
            case .rule(let line):
                fuzzInvariant(
                    policy.rules.contains { $0.line == line && $0.verdict == outcome.verdict },
                    "decision names line \(line), which is no rule with verdict \(outcome.verdict)")
            case .policyDefault(let line):
                fuzzInvariant(
                    line == policy.defaultLine && outcome.verdict == policy.defaultVerdict,
                    "decision names a default line the policy does not have")
            case .allowUnconfigured:
                fuzzInvariant(outcome.verdict == .deny && policy.defaultVerdict == nil, "allow_unconfigured = 0 allowed")
            }
        }
    }
    return 0
}
