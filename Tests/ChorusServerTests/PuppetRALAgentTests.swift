import ChorusAgents
import ChorusCore
import ChorusServer
import Foundation
import RubyMarshal
import Testing

/// The puppetral agent on a node assembled from real parts (no broker), reading this
/// machine's real files and programs: replies, DDL validation (status 4) and unsupported
/// types (status 1).
@Suite("puppetral agent on a node")
struct PuppetRALAgentTests {
    static func call(_ agent: PuppetRALAgent, node: TestNode, _ action: String, _ data: KeyValuePairs<String, RubyValue>) async throws -> RPCReplyBody {
        var arguments = RubyHash(symbolKeys: data)
        arguments.set(.bool(true), forSymbol: "process_results")
        let request = Request(
            requestID: Request.newRequestID(), senderID: "client", callerID: "uid=0", agent: "puppetral", collective: "mcollective",
            filter: Filter().rubyValue, ttl: 60, messageTime: Int(Date().timeIntervalSince1970),
            body: RPCRequestBody(agent: "puppetral", action: action, caller: "uid=0", data: arguments).rubyValue)
        let outcome = await AgentDispatcher.run(agent, request: request, node: node.state, timeout: .seconds(180))
        guard case .finished(let value?) = outcome, let body = RPCReplyBody(value) else {
            throw PuppetRALOracleTests.OracleFailure("the puppetral agent did not reply: \(outcome)")
        }
        return body
    }

    static func call(_ action: String, _ data: KeyValuePairs<String, RubyValue>, settings: PluginSettings = PluginSettings()) async throws -> RPCReplyBody {
        let node = try TestNode()
        defer { node.remove() }
        return try await call(try PuppetRALAgent(settings: settings), node: node, action, data)
    }

    @Test("find user root: every output, root's real uid and home, managed unknown without Puppet's resource list")
    func findRoot() async throws {
        let body = try await Self.call("find", ["type": "user", "title": "root"], settings: PluginSettings(["puppetral.resourcefile": "/nonexistent/resources.txt"]))
        #expect(body.statusCode == 0, "\(body.statusMessage)")
        #expect(body.data["type"] == .str("User") && body.data["title"] == .str("root"))
        #expect(body.data["tags"] == .array([.str("user"), .str("root")]))
        #expect(body.data["exported"] == .bool(false))
        #expect(body.data["managed"] == .str("unknown"))
        let parameters = try #require(body.data["parameters"]?.asHash)
        #expect(parameters.keys.first == .symbol("ensure"))
        #expect(parameters["uid"] == .int(0) && parameters["home"] == .str("/root"))
    }

    @Test("managed is true or false from the resources file Puppet's last run wrote")
    func managed() async throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("chorus-resources-\(UUID().uuidString).txt")
        try "user[root]\nclass[main]\n".write(to: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: file) }
        let settings = PluginSettings(["puppetral.resourcefile": file.path])
        let user = try await Self.call("find", ["type": "user", "title": "root"], settings: settings)
        let group = try await Self.call("find", ["type": "group", "title": "root"], settings: settings)
        #expect(user.data["managed"] == .bool(true))
        #expect(group.data["managed"] == .bool(false))
    }

    @Test("search type=group: every group of /etc/group, by title, as data hashes")
    func searchGroups() async throws {
        let body = try await Self.call("search", ["type": "group"])
        #expect(body.statusCode == 0, "\(body.statusMessage)")
        let result = try #require(body.data["result"]?.asHash)
        let expected = RALAccountFiles.group(try String(contentsOfFile: "/etc/group", encoding: .utf8)).map(\.name)
        #expect(result.keys.compactMap(\.stringValue) == expected)
        let root = try #require(result["root"])
        #expect(root["type"] == .str("Group") && root["tags"] == .array([.str("group"), .str("root")]))
        #expect(root["parameters"]?["gid"] == .int(0))
    }

    @Test("a hosts file from plugin.puppetral.hosts_file, and its path as target")
    func hostsFileSetting() async throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("chorus-hosts-\(UUID().uuidString)")
        try "10.1.2.3 app1 app1.example.com # test\n".write(to: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: file) }
        let body = try await Self.call("find", ["type": "host", "title": "app1"], settings: PluginSettings(["puppetral.hosts_file": file.path]))
        let parameters = try #require(body.data["parameters"]?.asHash)
        #expect(parameters["ip"] == .str("10.1.2.3") && parameters["target"] == .str(file.path))
        #expect(parameters["host_aliases"] == .array([.str("app1.example.com")]) && parameters["comment"] == .str("test"))
        let missing = try await Self.call("search", ["type": "host"], settings: PluginSettings(["puppetral.hosts_file": file.path + ".missing"]))
        #expect(missing.statusCode == 1 && missing.statusMessage == "cannot read \(file.path).missing: no such file (plugin.puppetral.hosts_file chooses the file)")
    }

    @Test("unknown types are status 1 naming the supported types")
    func unknownType() async throws {
        for action in ["find", "search"] {
            let body = try await Self.call(action, ["type": "file", "title": "/etc/motd"])
            #expect(body.statusCode == 1)
            #expect(body.statusMessage == "Resource type 'file' is not supported: Chorus's puppetral reads group, host, package, service, user")
        }
    }

    @Test("DDL validation: missing type, missing title, a title over 90 characters, an empty title are status 4")
    func invalidInput() async throws {
        let missingType = try await Self.call("find", ["title": "root"])
        #expect(missingType.statusCode == 4 && missingType.statusMessage == "Action find needs a type argument")
        let missingTitle = try await Self.call("find", ["type": "user"])
        #expect(missingTitle.statusCode == 4 && missingTitle.statusMessage == "Action find needs a title argument")
        let long = try await Self.call("find", ["type": "user", "title": .str(String(repeating: "a", count: 91))])
        #expect(long.statusCode == 4 && long.statusMessage.contains("longer than 90 character(s)"))
        let empty = try await Self.call("search", ["type": ""])
        #expect(empty.statusCode == 4 && empty.statusMessage.contains("should match ."))
    }

    @Test("a service title that would reach another program is status 4 and runs nothing")
    func unsafeServiceTitle() async throws {
        let body = try await Self.call("find", ["type": "service", "title": "../../usr/bin/touch"])
        #expect(body.statusCode == 4)
        #expect(body.statusMessage == "Cannot validate input title: a service name cannot contain '/'")
    }

    @Test("a bad setting makes every action fail with status 1 saying what to fix; the node still loads the agent")
    func badSetting() async throws {
        let body = try await Self.call("search", ["type": "user"], settings: PluginSettings(["puppetral.service_provider": "upstart"]))
        #expect(body.statusCode == 1)
        #expect(body.statusMessage.contains("plugin.puppetral.service_provider = upstart: use debian or systemd"))
    }

    @Test("find service cron, not installed here: stopped and disabled, as Puppet reports it")
    func findService() async throws {
        let body = try await Self.call("find", ["type": "service", "title": "cron"])
        #expect(body.statusCode == 0, "\(body.statusMessage)")
        #expect(body.data["parameters"]?.asHash == RubyHash(symbolKeys: ["ensure": "stopped", "enable": "false"]), "cron is not installed here")
    }

    @Test("packages: bash's installed version from dpkg, with provider apt")
    func findPackage() async throws {
        let body = try await Self.call("find", ["type": "package", "title": "bash"])
        let parameters = try #require(body.data["parameters"]?.asHash)
        let version = try await SystemCommand("dpkg-query", ["-W", "--showformat", "${Version}", "bash"]).run().standardOutput
        #expect(parameters["ensure"] == .str(version) && parameters["provider"] == .str("apt") && parameters["mark"] == .str("none"))
    }
}
