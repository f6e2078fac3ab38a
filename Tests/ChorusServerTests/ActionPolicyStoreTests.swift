import ChorusCore
import ChorusServer
import Foundation
import Logging
import RubyMarshal
import Synchronization
import Testing

/// The policy files on disk: lookup, the default policy, reloading on change, deletion, and
/// failing closed on files that cannot be used. Real files in a temporary directory.
@Suite("ActionPolicy store")
struct ActionPolicyStoreTests {
    /// A `<configdir>/policies` directory that removes itself.
    struct Policies {
        let configDirectory: URL
        var directory: URL { configDirectory.appendingPathComponent("policies") }

        init() throws {
            configDirectory = FileManager.default.temporaryDirectory.appendingPathComponent("chorus-ap-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: configDirectory.appendingPathComponent("policies"), withIntermediateDirectories: true)
        }

        func write(_ name: String, _ text: String) throws {
            try text.write(to: directory.appendingPathComponent(name), atomically: true, encoding: .utf8)
        }

        /// Rewrites a file in place (same inode), as an editor that truncates would.
        func overwrite(_ name: String, _ text: String) throws {
            let handle = try FileHandle(forWritingTo: directory.appendingPathComponent(name))
            try handle.truncate(atOffset: 0)
            try handle.write(contentsOf: Data(text.utf8))
            try handle.close()
        }

        func remove(_ name: String) throws { try FileManager.default.removeItem(at: directory.appendingPathComponent(name)) }
        func cleanUp() { try? FileManager.default.removeItem(at: configDirectory) }

        func settings(_ lines: [String: String] = [:]) throws -> ActionPolicySettings {
            try ActionPolicySettings(configDirectory: configDirectory.path, settings: PluginSettings(lines))
        }
    }

    /// Collects what is logged.
    final class CapturedLog: Sendable {
        let lines = Mutex<[String]>([])
        var logger: Logger { Logger(label: "actionpolicy-test") { _ in Handler(sink: self) } }
        func count(_ fragment: String) -> Int { lines.withLock { $0.filter { $0.contains(fragment) }.count } }

        struct Handler: LogHandler {
            let sink: CapturedLog
            var logLevel: Logger.Level = .trace
            var metadata: Logger.Metadata = [:]
            subscript(metadataKey key: String) -> Logger.Metadata.Value? {
                get { metadata[key] }
                set { metadata[key] = newValue }
            }
            func log(event: LogEvent) { sink.lines.withLock { $0.append("\(event.level): \(event.message)") } }
        }
    }

    static let node = NodeSnapshot(identity: "node1", facts: RubyHash(stringKeys: ["role": .str("db")]))

    static func decide(_ authorizer: RequestAuthorizer, caller: String = "uid=500", agent: String = "rpcutil", action: String = "get_fact") -> RequestAuthorizer.Decision {
        authorizer.decide(caller: caller, agent: agent, action: action) { Self.node }
    }

    @Test("a rewritten policy takes effect on the next request, also when rewritten in place with the same size")
    func reload() throws {
        let policies = try Policies()
        defer { policies.cleanUp() }
        let authorizer = RequestAuthorizer(settings: try policies.settings(), logger: Logger(label: "t"))
        try policies.write("rpcutil.policy", "policy default allow\n")
        #expect(Self.decide(authorizer).allowed)

        try policies.write("rpcutil.policy", "policy default allow\ndeny\t*\tget_fact\trole=db\t*\n")
        let denied = Self.decide(authorizer)
        #expect(!denied.allowed)
        #expect(denied.basis == policies.directory.appendingPathComponent("rpcutil.policy").path + " line 2")
        #expect(Self.decide(authorizer, action: "ping").allowed)

        // Rewritten in place: same inode, same size; only the times (and, when the rewrite falls
        // in the same clock tick, only the content) differ.
        let path = policies.directory.appendingPathComponent("rpcutil.policy").path
        let before = try FileManager.default.attributesOfItem(atPath: path)
        try policies.overwrite("rpcutil.policy", "policy default allow\ndeny\t*\tget_fact\trole=xx\t*\n")
        let after = try FileManager.default.attributesOfItem(atPath: path)
        #expect(before[.systemFileNumber] as? Int == after[.systemFileNumber] as? Int)
        #expect(before[.size] as? Int == after[.size] as? Int)
        #expect(Self.decide(authorizer).allowed)
        try policies.overwrite("rpcutil.policy", "policy default allow\ndeny\t*\tget_fact\trole=db\t*\n")
        #expect(!Self.decide(authorizer).allowed)
    }

    @Test("a deleted policy file makes the agent unconfigured again: allow_unconfigured decides")
    func deletion() throws {
        let policies = try Policies()
        defer { policies.cleanUp() }
        let strict = RequestAuthorizer(settings: try policies.settings(), logger: Logger(label: "t"))
        let lenient = RequestAuthorizer(settings: try policies.settings(["actionpolicy.allow_unconfigured": "1"]), logger: Logger(label: "t"))
        #expect(!Self.decide(strict).allowed)
        #expect(Self.decide(strict).basis.contains("allow_unconfigured = 0"))
        #expect(Self.decide(lenient).allowed)

        try policies.write("rpcutil.policy", "policy default allow\n")
        #expect(Self.decide(strict).allowed)
        try policies.write("rpcutil.policy", "policy default deny\n")
        #expect(!Self.decide(lenient).allowed)

        try policies.remove("rpcutil.policy")
        guard case .unconfigured = strict.store.lookup(agent: "rpcutil") else { Issue.record("deleted file still used"); return }
        #expect(!Self.decide(strict).allowed)
        #expect(Self.decide(lenient).allowed)
    }

    @Test("enable_default with default_name: the default policy governs agents without their own file")
    func defaultPolicy() throws {
        let policies = try Policies()
        defer { policies.cleanUp() }
        try policies.write("site.policy", "policy default deny\nallow\tuid=500\t*\t*\n")
        try policies.write("default.policy", "policy default allow\n")
        let withDefault = RequestAuthorizer(
            settings: try policies.settings(["actionpolicy.enable_default": "1", "actionpolicy.default_name": "site", "actionpolicy.allow_unconfigured": "1"]),
            logger: Logger(label: "t"))
        #expect(Self.decide(withDefault, caller: "uid=500", agent: "service").allowed)
        let refused = Self.decide(withDefault, caller: "uid=501", agent: "service")
        #expect(!refused.allowed, "enable_default takes precedence over allow_unconfigured")
        #expect(refused.basis.contains("site.policy default"))

        // The agent's own file wins over the default.
        try policies.write("service.policy", "policy default allow\n")
        #expect(Self.decide(withDefault, caller: "uid=501", agent: "service").allowed)

        // Without enable_default the default file is ignored.
        let without = RequestAuthorizer(settings: try policies.settings(["actionpolicy.default_name": "site"]), logger: Logger(label: "t"))
        #expect(!Self.decide(without, caller: "uid=500", agent: "package").allowed)
        #expect(Self.decide(without, caller: "uid=500", agent: "package").basis.contains("no policy file"))

        // default_name defaults to "default".
        let plain = RequestAuthorizer(settings: try policies.settings(["actionpolicy.enable_default": "yes"]), logger: Logger(label: "t"))
        #expect(Self.decide(plain, caller: "uid=999", agent: "package").allowed)
    }

    @Test("a malformed policy denies, is logged once per change with its line, and is used again once fixed")
    func malformedFailsClosed() throws {
        let policies = try Policies()
        defer { policies.cleanUp() }
        let log = CapturedLog()
        let authorizer = RequestAuthorizer(settings: try policies.settings(["actionpolicy.allow_unconfigured": "1"]), logger: log.logger)
        try policies.write("rpcutil.policy", "policy default allow\ndeny uid=1 * * *\n")
        for _ in 0..<3 {
            let decision = Self.decide(authorizer, action: "ping")
            #expect(!decision.allowed)
            #expect(decision.basis.contains("rpcutil.policy:2:"))
        }
        #expect(log.count("rpcutil.policy:2:") == 1)

        try policies.write("rpcutil.policy", "policy default allow\ndeny\tuid=1\t*\t*\n")
        #expect(Self.decide(authorizer, action: "ping").allowed)
        #expect(log.count("loaded policy file") == 1)

        try policies.write("rpcutil.policy", "policy default allow\npolicy default perhaps\n")
        #expect(!Self.decide(authorizer).allowed)
        #expect(!Self.decide(authorizer).allowed)
        #expect(log.count("rpcutil.policy:2:") == 2)
    }

    @Test("a policy path that is a directory, or an oversized file, denies")
    func unusableFiles() throws {
        let policies = try Policies()
        defer { policies.cleanUp() }
        let authorizer = RequestAuthorizer(settings: try policies.settings(["actionpolicy.allow_unconfigured": "1"]), logger: Logger(label: "t"))
        try FileManager.default.createDirectory(at: policies.directory.appendingPathComponent("rpcutil.policy"), withIntermediateDirectories: true)
        #expect(!Self.decide(authorizer).allowed)
        #expect(Self.decide(authorizer).basis.contains("not a regular file"))

        try policies.write("service.policy", "policy default allow\n" + String(repeating: "# padding\n", count: 110_000))
        #expect(!Self.decide(authorizer, agent: "service").allowed)
        #expect(Self.decide(authorizer, agent: "service").basis.contains("the limit is"))
    }

    @Test("groups come from <configdir>/policies/groups, reload when it changes, and a malformed groups file denies")
    func groupsFile() throws {
        let policies = try Policies()
        defer { policies.cleanUp() }
        let authorizer = RequestAuthorizer(settings: try policies.settings(), logger: Logger(label: "t"))
        try policies.write("rpcutil.policy", "policy default deny\nallow\tadmins\t*\t*\n")
        #expect(!Self.decide(authorizer, caller: "uid=500").allowed, "no groups file: no one is in admins")

        try policies.write("groups", "admins uid=500\n")
        #expect(Self.decide(authorizer, caller: "uid=500").allowed)
        #expect(!Self.decide(authorizer, caller: "uid=501").allowed)

        try policies.write("groups", "admins uid=501\n")
        #expect(!Self.decide(authorizer, caller: "uid=500").allowed)
        #expect(Self.decide(authorizer, caller: "uid=501").allowed)

        try policies.write("groups", "admins uid=501\nbad/name uid=500\n")
        let broken = Self.decide(authorizer, caller: "uid=501")
        #expect(!broken.allowed)
        #expect(broken.basis.contains("groups:2:"))

        try policies.remove("groups")
        #expect(!Self.decide(authorizer, caller: "uid=501").allowed)
        try policies.write("groups", "admins uid=501\n")
        #expect(Self.decide(authorizer, caller: "uid=501").allowed)
    }
}
