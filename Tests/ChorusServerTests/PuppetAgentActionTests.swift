import ChorusAgents
import ChorusCore
import ChorusServer
import Foundation
import RubyMarshal
import Testing

/// The puppet agent's actions run in-process against real state files in a temporary
/// vardir (and, for `resource`, the real `puppet resource`), through the same SimpleRPC
/// steps the node uses: DDL validation first, then the action.
@Suite("Puppet agent actions on real files", .serialized)
struct PuppetAgentActionTests {
    /// A temporary Puppet vardir and an agent pointed at it.
    struct Sandbox {
        let directory: URL
        let agent: PuppetAgent
        let node: TestNode

        init(_ extra: [String: String] = [:]) throws {
            directory = FileManager.default.temporaryDirectory.appendingPathComponent("chorus-puppet-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: directory.appendingPathComponent("state"), withIntermediateDirectories: true)
            let settings = ["vardir": directory.path, "command": "/bin/true"].merging(extra) { $1 }
            agent = try PuppetAgent(settings: PuppetSettings(PluginSettings(settings)))
            node = try TestNode()
        }

        func path(_ relative: String) -> String { directory.appendingPathComponent(relative).path }

        func call(_ action: String, _ data: RubyHash = RubyHash()) async -> RPCReplyBody {
            let body = RPCRequestBody(agent: "puppet", action: action, caller: "uid=0", data: data)
            let request = Request(
                requestID: Request.newRequestID(), senderID: "client", callerID: "uid=0", agent: "puppet", collective: "mcollective",
                filter: Filter().rubyValue, ttl: 60, messageTime: 0, body: body.rubyValue)
            return await agent.run(body, request: request, node: node.state)
        }

        func remove() {
            node.remove()
            try? FileManager.default.removeItem(at: directory)
        }
    }

    @Test("status of a fresh node, disable with a message, status, disable again, enable, enable again")
    func enableDisable() async throws {
        let box = try Sandbox()
        defer { box.remove() }
        var reply = await box.call("status")
        #expect(reply.statusCode == 0)
        #expect(reply.data["status"] == .str("stopped") && reply.data["enabled"] == .bool(true))
        #expect(reply.data["applying"] == .bool(false) && reply.data["daemon_present"] == .bool(false))

        reply = await box.call("disable", RubyHash(symbolKeys: ["message": "maintenance window"]))
        #expect(reply.statusCode == 0)
        #expect(reply.data["enabled"] == .bool(false))
        #expect(reply.data["status"] == .str("Successfully locked the Puppet agent: maintenance window"))
        let lock = try String(contentsOfFile: box.path("state/agent_disabled.lock"), encoding: .utf8)
        #expect(lock == #"{"disabled_message":"maintenance window"}"#)

        reply = await box.call("status")
        #expect(reply.data["status"] == .str("disabled") && reply.data["disable_message"] == .str("maintenance window"))

        reply = await box.call("disable")
        #expect(reply.statusCode == 1 && reply.statusMessage == "Could not disable Puppet: Already disabled")
        #expect(reply.data["enabled"] == .bool(false))

        reply = await box.call("enable")
        #expect(reply.statusCode == 0 && reply.data["enabled"] == .bool(true))
        #expect(!FileManager.default.fileExists(atPath: box.path("state/agent_disabled.lock")))
        reply = await box.call("enable")
        #expect(reply.statusCode == 1 && reply.statusMessage == "Could not enable Puppet: Already enabled")

        reply = await box.call("disable")
        #expect(reply.statusCode == 0)
        let message = try #require(reply.data["status"]?.stringValue)
        #expect(message.hasPrefix("Successfully locked the Puppet agent: Disabled via Chorus by uid=0 at "))
    }

    @Test("a lock file written by the real `puppet agent --disable` is understood")
    func realPuppetLock() async throws {
        let box = try Sandbox()
        defer { box.remove() }
        let result = try await SystemCommand("puppet", ["agent", "--disable", "from puppet itself", "--vardir", box.directory.path, "--confdir", box.path("conf")], timeout: .seconds(60)).run()
        #expect(result.succeeded, "\(result.combinedOutput)")
        let reply = await box.call("status")
        #expect(reply.data["status"] == .str("disabled"))
        #expect(reply.data["disable_message"] == .str("from puppet itself"))
        #expect(await box.call("enable").statusCode == 0)
    }

    @Test("applying: a catalog run lock naming a live process; a stale pid is not applying")
    func applying() async throws {
        let box = try Sandbox()
        defer { box.remove() }
        try "\(getpid())".write(toFile: box.path("state/agent_catalog_run.lock"), atomically: true, encoding: .utf8)
        var reply = await box.call("status")
        #expect(reply.data["status"] == .str("applying a catalog") && reply.data["applying"] == .bool(true))
        reply = await box.call("runonce", RubyHash(symbolKeys: ["force": true]))
        #expect(reply.statusCode == 1 && reply.statusMessage == "Puppet is currently applying a catalog, cannot run now")
        try "999999999".write(toFile: box.path("state/agent_catalog_run.lock"), atomically: true, encoding: .utf8)
        reply = await box.call("status")
        #expect(reply.data["applying"] == .bool(false))
    }

    @Test("last_run_summary and the data plugins read the real puppet apply summary and resources.txt")
    func lastRunSummary() async throws {
        let box = try Sandbox()
        defer { box.remove() }
        try FileManager.default.createDirectory(atPath: box.path("public"), withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: PuppetStateTests.fixtures.appendingPathComponent("last_run_summary.yaml").path, toPath: box.path("public/last_run_summary.yaml"))
        try FileManager.default.copyItem(atPath: PuppetStateTests.fixtures.appendingPathComponent("resources.txt").path, toPath: box.path("state/resources.txt"))
        let reply = await box.call("last_run_summary")
        #expect(reply.statusCode == 0)
        #expect(reply.data["total_resources"] == .int(11) && reply.data["changed_resources"] == .int(3))
        #expect(reply.data["lastrun"] == .int(1796544577))
        #expect(reply.data["config_version"] == .str("1796544575"))
        #expect(reply.data["type_distribution"] == .hash(RubyHash(stringKeys: ["File": 2, "Notify": 1, "Package": 1])))
        #expect(reply.data["summary"]?["version"]?["puppet"] == .str("7.23.0"))

        let settings = box.agent.settings
        let snapshot = NodeSnapshot(identity: "n", dataPlugins: [PuppetDataPlugin(settings: settings), ResourceDataPlugin(settings: settings)])
        #expect(snapshot.dataQuery(plugin: "resource", query: "File[/tmp/h4fix/dir]")?["managed"] == .bool(true))
        #expect(snapshot.dataQuery(plugin: "resource", query: "file[/etc/passwd]")?["managed"] == .bool(false))
        #expect(snapshot.dataQuery(plugin: "resource", query: "not a reference") == nil)
        #expect(snapshot.dataQuery(plugin: "resource", query: nil)?["total_resources"] == .int(11))
        #expect(snapshot.dataQuery(plugin: "puppet", query: nil)?["lastrun"] == .int(1796544577))

        var enabled = Filter()
        try enabled.addCompound("puppet().enabled=true and resource().total_resources>10")
        #expect(enabled.matches(snapshot))
        _ = await box.call("disable")
        var disabled = Filter()
        try disabled.addCompound("puppet().enabled=false")
        #expect(disabled.matches(snapshot))
        #expect(!enabled.matches(snapshot))

        try "resources: [broken\n".write(toFile: box.path("public/last_run_summary.yaml"), atomically: true, encoding: .utf8)
        let broken = await box.call("last_run_summary")
        #expect(broken.statusCode == 1 && broken.statusMessage.contains("last_run_summary.yaml"))
    }

    @Test("bad input is status 4 and nothing runs", arguments: [
        ("runonce", RubyHash(symbolKeys: ["environment": "prod; rm -rf /"])),
        ("runonce", RubyHash(symbolKeys: ["tags": "a b"])),
        ("runonce", RubyHash(symbolKeys: ["server": "$(id)"])),
        ("runonce", RubyHash(symbolKeys: ["force": "yes"])),
        ("runonce", RubyHash(symbolKeys: ["environment": .str(String(repeating: "e", count: 51))])),
        ("disable", RubyHash(symbolKeys: ["message": "`reboot`"])),
        ("resource", RubyHash(symbolKeys: ["type": "file"])),
        ("resource", RubyHash(symbolKeys: ["type": "--modulepath=/tmp", "name": "x"])),
        ("resource", RubyHash(symbolKeys: ["type": "file", "name": "/tmp/x", "bad key": "v"])),
    ])
    func badInput(_ action: String, _ data: RubyHash) async throws {
        let marker = FileManager.default.temporaryDirectory.appendingPathComponent("chorus-puppet-marker-\(UUID().uuidString)").path
        let script = FileManager.default.temporaryDirectory.appendingPathComponent("chorus-puppet-touch-\(UUID().uuidString)").path
        try "#!/bin/sh\ntouch \(marker)\n".write(toFile: script, atomically: true, encoding: .utf8)
        chmod(script, 0o755)
        defer { unlink(script); unlink(marker) }
        let box = try Sandbox(["command": script, "executable": script, "resource_type_whitelist": "file"])
        defer { box.remove() }
        let reply = await box.call(action, data)
        #expect(reply.statusCode == 4, "\(reply.statusMessage)")
        try await Task.sleep(for: .milliseconds(300))
        #expect(!FileManager.default.fileExists(atPath: marker))
        #expect(!FileManager.default.fileExists(atPath: box.path("state/agent_disabled.lock")))
    }

    @Test("runonce starts the command in the background and says so")
    func runOnce() async throws {
        let marker = FileManager.default.temporaryDirectory.appendingPathComponent("chorus-puppet-args-\(UUID().uuidString)").path
        let script = FileManager.default.temporaryDirectory.appendingPathComponent("chorus-puppet-run-\(UUID().uuidString)").path
        try "#!/bin/sh\nsleep 4\nprintf '%s\\n' \"$@\" > \(marker)\n".write(toFile: script, atomically: true, encoding: .utf8)
        chmod(script, 0o755)
        defer { unlink(script); unlink(marker) }
        let box = try Sandbox(["command": "\(script) agent"])
        defer { box.remove() }
        let started = ContinuousClock.now
        let reply = await box.call("runonce", RubyHash(symbolKeys: ["force": true, "tags": "a,b::c", "noop": true]))
        // The run takes 4 s; a reply that waited for it would find its marker written.
        #expect(!FileManager.default.fileExists(atPath: marker), "the reply waited for the run (\(ContinuousClock.now - started))")
        #expect(reply.statusCode == 0, "\(reply.statusMessage)")
        #expect(reply.data["summary"] == .str("Started a Puppet run using the '\(script) agent --onetime --no-daemonize --color=false --show_diff --verbose --tags a,b::c --no-splay --noop' command"))
        #expect(abs((reply.data["initiated_at"]?.intValue ?? 0) - Int(Date().timeIntervalSince1970)) < 5)
        var written: String?
        for _ in 0..<150 where written == nil {
            try await Task.sleep(for: .milliseconds(100))
            written = try? String(contentsOfFile: marker, encoding: .utf8)
        }
        #expect(written == "agent\n--onetime\n--no-daemonize\n--color=false\n--show_diff\n--verbose\n--tags\na,b::c\n--no-splay\n--noop\n")

        _ = await box.call("disable", RubyHash(symbolKeys: ["message": "maintenance"]))
        let refused = await box.call("runonce")
        #expect(refused.statusCode == 1 && refused.statusMessage == "Puppet is disabled: 'maintenance'")
        #expect(refused.data["summary"] == .str("Puppet is disabled: 'maintenance'"))
    }

    @Test("resource applies through the real puppet resource when whitelisted; refuses otherwise")
    func resource() async throws {
        // The real puppet, with its vardir in the sandbox so the system's Puppet state is untouched.
        let wrapper = FileManager.default.temporaryDirectory.appendingPathComponent("chorus-puppet-resource-\(UUID().uuidString)").path
        let vardir = FileManager.default.temporaryDirectory.appendingPathComponent("chorus-puppet-vardir-\(UUID().uuidString)").path
        try "#!/bin/sh\nsub=$1\nshift\nexec puppet \"$sub\" --vardir '\(vardir)' --confdir '\(vardir)/conf' \"$@\"\n".write(toFile: wrapper, atomically: true, encoding: .utf8)
        chmod(wrapper, 0o755)
        defer {
            unlink(wrapper)
            try? FileManager.default.removeItem(atPath: vardir)
        }
        let box = try Sandbox(["resource_type_whitelist": "file", "executable": wrapper])
        defer { box.remove() }
        let target = box.path("made-by-puppet.txt")
        var reply = await box.call("resource", RubyHash(symbolKeys: ["type": "file", "name": .str(target), "ensure": "file", "content": "hi there"]))
        #expect(reply.statusCode == 0, "\(reply.statusMessage)")
        #expect(reply.data["changed"] == .bool(true))
        #expect(reply.data["result"]?.stringValue?.contains("Notice: /File[\(target)]/ensure") == true)
        #expect(try String(contentsOfFile: target, encoding: .utf8) == "hi there")

        reply = await box.call("resource", RubyHash(symbolKeys: ["type": "file", "name": .str(target), "ensure": "file", "content": "hi there"]))
        #expect(reply.statusCode == 0 && reply.data["changed"] == .bool(false))

        reply = await box.call("resource", RubyHash(symbolKeys: ["type": "package", "name": "bash", "ensure": "absent"]))
        #expect(reply.statusCode == 1 && reply.statusMessage == "The package type is not listed in the type whitelist (plugin.puppet.resource_type_whitelist)")

        try "file[\(target)]\n".write(toFile: box.path("state/resources.txt"), atomically: true, encoding: .utf8)
        reply = await box.call("resource", RubyHash(symbolKeys: ["type": "file", "name": .str(target), "ensure": "absent"]))
        #expect(reply.statusCode == 1 && reply.statusMessage.contains("Puppet is managing the resource 'File[\(target)]'"))
        #expect(FileManager.default.fileExists(atPath: target))
    }
}
