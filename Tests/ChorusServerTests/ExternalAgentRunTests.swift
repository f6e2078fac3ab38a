import ChorusCore
import ChorusServer
import Foundation
import Logging
import RubyMarshal
import Testing

/// `ExternalAgent` running real programs (the shipped examples and small test scripts)
/// through the SimpleRPC steps a node takes, without a broker.
@Suite("External agents: running real programs")
struct ExternalAgentRunTests {
    /// `examples/agents` of this repository.
    static let examples: String = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() }
        return url.appendingPathComponent("examples/agents").path
    }()

    static let logger = Logger(label: "external-agent-test")

    static func example(_ name: String, settings: [String: String] = [:]) throws -> ExternalAgent {
        let scan = ExternalAgentLoader(libdirs: [examples], settings: PluginSettings(settings), logger: logger).scan(reserved: [])
        #expect(scan.warnings.isEmpty, "\(scan.warnings)")
        return try #require(scan.agents.first { $0.name == name }, "example \(name) not found in \(examples)")
    }

    static func call(_ agent: ExternalAgent, _ action: String, _ data: KeyValuePairs<String, RubyValue> = [:], node: TestNode) async -> RPCReplyBody {
        let body = RPCRequestBody(agent: agent.name, action: action, caller: "uid=0", data: RubyHash(symbolKeys: data))
        let request = Request(
            requestID: "req\(UInt32.random(in: 0...UInt32.max))", senderID: "client1", callerID: "uid=0", agent: agent.name,
            collective: "mcollective", filter: .hash(RubyHash()), ttl: 60, messageTime: 0, body: body.rubyValue)
        return await agent.run(body, request: request, node: node.state)
    }

    @Test("the Python example kv: typed outputs, a failing action's status, a crash as status 5, its audit log")
    func kvExample() async throws {
        let node = try TestNode()
        defer { node.remove() }
        let store = node.directory.appendingPathComponent("kv").path
        let audit = node.directory.appendingPathComponent("kv-audit.log").path
        let kv = try Self.example("kv", settings: ["kv.directory": store, "kv.audit_log": audit])
        #expect(kv.activate(on: node.state))

        let set = await Self.call(kv, "set", ["key": "motd", "value": "hello; $(id)"], node: node)
        #expect(set.statusCode == 0, "\(set.statusMessage)")
        #expect(set.data["value"] == .str("hello; $(id)"))
        #expect(set.data["previous"] == .nil)
        let storedAt = try #require(set.data["stored_at"]?.doubleValue)
        #expect(abs(storedAt - Date().timeIntervalSince1970) < 60)
        #expect(try String(contentsOfFile: store + "/motd", encoding: .utf8) == "hello; $(id)")

        let get = await Self.call(kv, "get", ["key": "motd"], node: node)
        #expect(get.statusCode == 0 && get.data["found"] == .bool(true) && get.data["value"] == .str("hello; $(id)"))

        let missing = await Self.call(kv, "get", ["key": "nothing"], node: node)
        #expect(missing.statusCode == 1)
        #expect(missing.statusMessage == "no key named nothing")
        #expect(missing.data["found"] == .bool(false))

        let counted = await Self.call(kv, "incr", ["key": "hits", "by": .int(5)], node: node)
        #expect(counted.statusCode == 0 && counted.data["value"] == .int(5))
        let defaulted = await Self.call(kv, "incr", ["key": "hits"], node: node)
        #expect(defaulted.data["value"] == .int(6))

        let list = await Self.call(kv, "list", node: node)
        #expect(list.data["keys"] == .array([.str("hits"), .str("motd")]))
        #expect(list.data["count"] == .int(2))

        let crash = await Self.call(kv, "incr", ["key": "motd"], node: node)
        #expect(crash.statusCode == 5)
        #expect(crash.statusMessage.hasPrefix("kv#incr failed: exited with status 1: ValueError: invalid literal for int()"), "\(crash.statusMessage)")
        // Outputs keep their DDL defaults (nil) when the program failed.
        #expect(crash.data["value"] == .nil)

        let auditLines = try String(contentsOfFile: audit, encoding: .utf8).split(separator: "\n")
        #expect(auditLines.count == 7)
        #expect(auditLines.first?.contains("uid=0 set") == true)
    }

    @Test("the shell example fileinfo: outputs from CHORUS_INPUT_PATH, status 1 for a missing file")
    func fileinfoExample() async throws {
        let node = try TestNode()
        defer { node.remove() }
        let fileinfo = try Self.example("fileinfo")
        #expect(fileinfo.activate(on: node.state))
        let file = node.directory.appendingPathComponent("facts.yaml").path
        try FileManager.default.setAttributes([.posixPermissions: 0o640], ofItemAtPath: file)
        let size = try #require(try FileManager.default.attributesOfItem(atPath: file)[.size] as? Int)

        let stat = await Self.call(fileinfo, "stat", ["path": .str(file)], node: node)
        #expect(stat.statusCode == 0, "\(stat.statusMessage)")
        #expect(stat.data["present"] == .bool(true))
        #expect(stat.data["type"] == .str("regular file"))
        #expect(stat.data["size"] == .int(size))
        #expect(stat.data["mode"] == .str("640"))
        #expect(stat.data["owner"]?.stringValue?.isEmpty == false)
        #expect(stat.data["mtime"]?.intValue ?? 0 > 1_000_000_000)

        let quoted = node.directory.appendingPathComponent("a \"b\" \\c").path
        let missing = await Self.call(fileinfo, "stat", ["path": .str(quoted)], node: node)
        #expect(missing.statusCode == 1)
        #expect(missing.statusMessage == "\(quoted) does not exist")
        #expect(missing.data["present"] == .bool(false))

        let invalid = await Self.call(fileinfo, "stat", ["path": "relative/path"], node: node)
        #expect(invalid.statusCode == 4)
    }

    @Test("the examples' activation checks decline where they do not apply")
    func examplesDecline() async throws {
        let disabled = try TestNode(facts: "kv_enabled: \"false\"\n")
        defer { disabled.remove() }
        #expect(!(try Self.example("kv").activate(on: disabled.state)))

        // fileinfo needs stat(1): with a PATH where it cannot be found, the check declines.
        let path = Self.examples + "/agent/fileinfo"
        let run = try await SystemCommand(path, ["--chorus-activate"], environment: ["PATH": "/nonexistent"], timeout: .seconds(5)).run()
        #expect(ExternalAgentActivation.decide(run) == .decline(reason: "stat(1) is not installed on this node"))
    }

    /// A test agent `probe` in a temporary libdir whose program is `script`.
    static func probe(_ script: String, in node: TestNode, timeout: Int = 5, activation: String = "exit 0") throws -> ExternalAgent {
        let libdir = node.directory.appendingPathComponent("lib").path
        try FileManager.default.createDirectory(atPath: libdir + "/agent", withIntermediateDirectories: true)
        let program = "#!/bin/sh\nif [ \"$1\" = --chorus-activate ]; then \(activation); fi\n" + script
        try program.write(toFile: libdir + "/agent/probe", atomically: false, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: libdir + "/agent/probe")
        let ddl = """
            {"metadata": {"name": "probe", "description": "d", "author": "a", "license": "l", "version": "1", "url": "u", "timeout": \(timeout)},
             "actions": [{"name": "go", "description": "d",
                          "inputs": [{"name": "word", "prompt": "p", "description": "d", "type": "string", "validation": "^[a-z ;$()]+$", "optional": false},
                                     {"name": "count", "prompt": "p", "description": "d", "type": "integer", "optional": true, "default": 3}],
                          "outputs": [{"name": "out", "description": "d", "display_as": "Out", "default": "none"}]}]}
            """
        try ddl.write(toFile: libdir + "/agent/probe.json", atomically: false, encoding: .utf8)
        let scan = ExternalAgentLoader(libdirs: [libdir], settings: PluginSettings(["probe.secret_dir": node.directory.path]), logger: logger).scan(reserved: [])
        return try #require(scan.agents.first)
    }

    @Test("the program gets argv [path, action], the JSON request on stdin and CHORUS_* variables; invalid input never runs it")
    func whatTheProgramSees() async throws {
        let node = try TestNode()
        defer { node.remove() }
        let seen = node.directory.path
        let probe = try Self.probe(
            "printf '%s\\n' \"$0\" \"$@\" > \(seen)/argv\ncat > \(seen)/stdin\nenv > \(seen)/env\nprintf '{\"data\":{\"out\":\"%s\"}}' \"$CHORUS_INPUT_WORD\"\n",
            in: node)

        let reply = await Self.call(probe, "go", ["word": "hi; $(id)", "extra": .array([.int(1)])], node: node)
        #expect(reply.statusCode == 0, "\(reply.statusMessage)")
        #expect(reply.data["out"] == .str("hi; $(id)"))

        let argv = try String(contentsOfFile: seen + "/argv", encoding: .utf8)
        #expect(argv == "\(probe.executable)\ngo\n")
        let stdin = try RubyValue(json: String(contentsOfFile: seen + "/stdin", encoding: .utf8))
        #expect(stdin["protocol"] == .str("chorus.agent/1") && stdin["agent"] == .str("probe") && stdin["action"] == .str("go"))
        #expect(stdin["data"]?["word"] == .str("hi; $(id)"))
        #expect(stdin["data"]?["extra"] == .array([.int(1)]))
        #expect(stdin["data"]?["count"] == .int(3), "the DDL default is applied before the program runs")
        #expect(stdin["data"]?.asHash?.count == 3)
        #expect(stdin["identity"] == .str("node1") && stdin["caller"] == .str("uid=0") && stdin["sender"] == .str("client1"))
        #expect(stdin["config"] == .hash(RubyHash(stringKeys: ["secret_dir": .str(seen)])))
        let environment = Set(try String(contentsOfFile: seen + "/env", encoding: .utf8).split(separator: "\n").map(String.init))
        #expect(environment.isSuperset(of: ["CHORUS_AGENT=probe", "CHORUS_ACTION=go", "CHORUS_CALLER=uid=0", "CHORUS_INPUT_WORD=hi; $(id)", "CHORUS_INPUT_COUNT=3", "LC_ALL=C"]))
        #expect(!environment.contains { $0.hasPrefix("CHORUS_INPUT_EXTRA") })

        try FileManager.default.removeItem(atPath: seen + "/argv")
        let invalid = await Self.call(probe, "go", ["word": "UPPER"], node: node)
        #expect(invalid.statusCode == 4)
        #expect(invalid.statusMessage == "Cannot validate input word: value should match ^[a-z ;$()]+$")
        #expect(invalid.data["out"] == .str("none"))
        #expect(!FileManager.default.fileExists(atPath: seen + "/argv"), "the program ran for an invalid request")
    }

    @Test("a program past its DDL timeout is killed with its process group and answered with status 5")
    func timeout() async throws {
        let node = try TestNode()
        defer { node.remove() }
        let pids = node.directory.appendingPathComponent("pids").path
        let probe = try Self.probe("sleep 5 &\necho $$ $! > \(pids)\nwait\necho '{}'\n", in: node, timeout: 1)
        let started = ContinuousClock.now
        let reply = await Self.call(probe, "go", ["word": "nap"], node: node)
        let elapsed = ContinuousClock.now - started
        #expect(reply.statusCode == 5)
        #expect(reply.statusMessage == "probe#go timed out after 1 s")
        // "timed out" can only come from the kill at the DDL timeout (the program would otherwise
        // answer {} after 5 s); the elapsed time is not asserted, as other suites may hold the pool.
        #expect(elapsed < .seconds(30), "took \(elapsed)")
        let written = try String(contentsOfFile: pids, encoding: .utf8).split(separator: " ").compactMap { Int32($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
        #expect(written.count == 2)
        try await Task.sleep(for: .milliseconds(100))
        for pid in written {
            // Gone, or at most a zombie waiting for a parent that is not ours to reap.
            let state = (try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8))?.split(separator: " ").dropFirst(2).first
            #expect(state == nil || state == "Z", "process \(pid) still running (state \(state ?? "?"))")
        }
    }

    @Test("an activation check that fails or cannot run keeps the agent out")
    func activationErrors() throws {
        let node = try TestNode()
        defer { node.remove() }
        #expect(!(try Self.probe("", in: node, activation: "exit 3").activate(on: node.state)))
        let declining = try Self.probe("", in: node, activation: "echo 'needs a GPU'; exit 1")
        #expect(!declining.activate(on: node.state))
        let loading = try Self.probe("", in: node, activation: "exit 0")
        #expect(loading.activate(on: node.state))
        try FileManager.default.removeItem(atPath: loading.executable)
        #expect(!loading.activate(on: node.state))
    }
}
