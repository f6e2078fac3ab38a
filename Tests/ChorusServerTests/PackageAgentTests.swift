import ChorusAgents
import ChorusCore
import ChorusServer
import Foundation
import RubyMarshal
import Testing

/// The package agent on a node assembled from real parts (no broker): hostile inputs are
/// refused with status 4 before any program runs, and read-only actions run the real
/// dpkg-query and apt-cache. Installing and removing is tested end to end
/// (EndToEndTests/PackageAgentTests.swift).
@Suite("Package agent on a node")
struct PackageAgentTests {
    static func request(_ action: String, _ data: RubyHash) -> Request {
        var arguments = data
        arguments.set(.bool(true), forSymbol: "process_results")
        return Request(
            requestID: Request.newRequestID(), senderID: "client", callerID: "uid=0", agent: "package", collective: "mcollective",
            filter: Filter().rubyValue, ttl: 60, messageTime: Int(Date().timeIntervalSince1970),
            body: RPCRequestBody(agent: "package", action: action, caller: "uid=0", data: arguments).rubyValue)
    }

    static func call(_ action: String, _ data: RubyHash = RubyHash()) async throws -> RPCReplyBody {
        let node = try TestNode()
        defer { node.remove() }
        let agent = try PackageAgent()
        let outcome = await AgentDispatcher.run(agent, request: request(action, data), node: node.state, timeout: .seconds(180))
        guard case .finished(let value?) = outcome, let body = RPCReplyBody(value) else {
            throw TestFailure("the package agent did not reply: \(outcome)")
        }
        return body
    }

    struct TestFailure: Error, CustomStringConvertible {
        let description: String
        init(_ description: String) { self.description = description }
    }

    @Test("shell metacharacters, command substitution and over-long names are refused with status 4, and nothing runs",
          arguments: ["install", "status", "uninstall", "purge", "update"])
    func hostileInput(action: String) async throws {
        let marker = "/tmp/chorus-package-\(UUID().uuidString)"
        let cases: [(String, String)] = [
            ("foo; touch \(marker)", "should not have ; in it"),
            ("$(touch \(marker))", "should not have $ in it"),
            ("`touch \(marker)`", "should not have ` in it"),
            ("foo && touch \(marker)", "should not have && in it"),
            ("foo | tee \(marker)", "should not have | in it"),
            ("foo > \(marker)", "should not have > in it"),
            (String(repeating: "a", count: 200), "longer than 90 character(s)"),
            ("-oDpkg::Post-Invoke::=touch", "must start with a letter or a digit"),
            ("bash*", "may only contain letters, digits"),
            ("bash=5.2", "may only contain letters, digits"),
        ]
        for (package, message) in cases {
            let body = try await Self.call(action, RubyHash(symbolKeys: ["package": .str(package)]))
            #expect(body.statusCode == 4, "\(action) \(package): \(body.statusMessage)")
            #expect(body.statusMessage.contains(message), "\(action) \(package): \(body.statusMessage)")
        }
        #expect(!FileManager.default.fileExists(atPath: marker))
    }

    @Test("a missing package input and a hostile version are status 4 too")
    func missingAndVersion() async throws {
        let missing = try await Self.call("install")
        #expect(missing.statusCode == 4 && missing.statusMessage == "Action install needs a package argument")
        let version = try await Self.call("install", RubyHash(symbolKeys: ["package": "bash", "version": "-1"]))
        #expect(version.statusCode == 4 && version.statusMessage.contains("Cannot validate input version"))
        let mode = try await Self.call("yum_clean", RubyHash(symbolKeys: ["mode": "everything"]))
        #expect(mode.statusCode == 4 && mode.statusMessage.contains("should be one of all, headers"))
    }

    @Test("status reads the real dpkg database: bash is installed, a made-up name is purged")
    func status() async throws {
        let bash = try await Self.call("status", RubyHash(symbolKeys: ["package": "bash"]))
        #expect(bash.statusCode == 0, "\(bash.statusMessage)")
        #expect(bash.data["name"] == "bash" && bash.data["provider"] == "apt")
        let ensure = try #require(bash.data["ensure"]?.stringValue)
        #expect(ensure.first?.isNumber == true, "ensure is a version: \(ensure)")
        #expect(bash.data["arch"]?.stringValue?.isEmpty == false)
        #expect(bash.data["output"]?.stringValue?.contains("install ok installed") == true)

        let unknown = try await Self.call("status", RubyHash(symbolKeys: ["package": "chorus-no-such-package"]))
        #expect(unknown.statusCode == 0)
        #expect(unknown.data["ensure"] == "purged" && unknown.data["version"] == .nil && unknown.data["arch"] == .nil)
    }

    @Test("install refuses an installed package without a version, and a name apt does not know")
    func installRefusals() async throws {
        let installed = try await Self.call("install", RubyHash(symbolKeys: ["package": "bash"]))
        #expect(installed.statusCode == 1 && installed.statusMessage.hasPrefix("Package is already installed"))
        #expect(installed.data["ensure"]?.stringValue?.first?.isNumber == true, "the reply still carries the status")

        let unknown = try await Self.call("install", RubyHash(symbolKeys: ["package": "chorus-no-such-package"]))
        #expect(unknown.statusCode == 1 && unknown.statusMessage.contains("is not known to apt"))
        #expect(unknown.data["ensure"] == "purged")

        let absent = try await Self.call("uninstall", RubyHash(symbolKeys: ["package": "chorus-no-such-package"]))
        #expect(absent.statusCode == 1 && absent.statusMessage.hasPrefix("Package is not present on the system"))
    }

    @Test("the yum actions fail clearly where yum is not installed", .enabled(if: !YumTool.isPresent))
    func noYum() async throws {
        for action in ["yum_clean", "yum_checkupdates"] {
            let body = try await Self.call(action)
            #expect(body.statusCode == 1)
            #expect(body.statusMessage.hasPrefix("yum is not installed on this node"), "\(body.statusMessage)")
        }
    }

    @Test("plugin.package.provider must name a provider Chorus has")
    func unknownProvider() async throws {
        let node = try TestNode()
        defer { node.remove() }
        let agent = try PackageAgent(settings: PluginSettings(["package.provider": "pkgng"]))
        let outcome = await AgentDispatcher.run(agent, request: Self.request("status", RubyHash(symbolKeys: ["package": "bash"])), node: node.state, timeout: .seconds(30))
        guard case .finished(let value?) = outcome, let body = RPCReplyBody(value) else {
            Issue.record("no reply: \(outcome)")
            return
        }
        #expect(body.statusCode == 1 && body.statusMessage.contains("plugin.package.provider = pkgng is not a provider"))
    }
}
