import ChorusCore
import ChorusTestSupport
import Foundation
import RubyMarshal
import Testing

extension EndToEnd {
    /// External agents served by real `chorus server` processes from libdirs: the shipped
    /// examples (`examples/agents`, shell and Python) and small test agents, called with the
    /// real `chorus` client over a real broker.
    @Suite("External agents, end to end")
    struct ExternalAgentTests {
        /// `examples/agents` of this repository.
        static let examples: String = {
            var url = URL(fileURLWithPath: #filePath)
            for _ in 0..<3 { url.deleteLastPathComponent() }
            return url.appendingPathComponent("examples/agents").path
        }()

        static let nodes = [
            Fleet.NodeProfile(identity: "node1", facts: [("osfamily", "Debian"), ("role", "web")], classes: ["common"]),
            Fleet.NodeProfile(identity: "node2", facts: [("osfamily", "Debian"), ("role", "db"), ("kv_enabled", "\"false\"")], classes: ["common"]),
        ]

        /// A broker and two nodes whose libdir holds the examples and the test agents
        /// (`sleeper`: 1 s DDL timeout, sleeps 5 s; `orphan`: no DDL; `rpcutil`: clashes).
        static func startFleet() async throws -> Fleet {
            let fleet = try Fleet(nodes: nodes)
            let testAgents = fleet.directory.appendingPathComponent("testagents").path
            try writeTestAgents(in: testAgents)
            let libdir = "libdir = \(examples):\(testAgents)"
            try await fleet.startBroker()
            try fleet.writeClientConfig(identity: "mcoclient", path: fleet.clientConfig, extra: [libdir])
            for node in nodes {
                let dir = fleet.nodeDirectory(node.identity).path
                try fleet.startServer(node, extra: [libdir, "plugin.kv.directory = \(dir)/kv", "plugin.kv.audit_log = \(dir)/kv-audit.log"])
            }
            try await fleet.waitForNodes(nodes.map(\.identity))
            return fleet
        }

        static func writeTestAgents(in libdir: String) throws {
            let agents = libdir + "/agent"
            try FileManager.default.createDirectory(atPath: agents, withIntermediateDirectories: true)
            func write(_ name: String, _ text: String, mode: Int) throws {
                try text.write(toFile: "\(agents)/\(name)", atomically: false, encoding: .utf8)
                try FileManager.default.setAttributes([.posixPermissions: mode], ofItemAtPath: "\(agents)/\(name)")
            }
            func ddl(_ name: String, timeout: Int) -> String {
                """
                {"metadata": {"name": "\(name)", "description": "Test agent \(name)", "author": "tests", "license": "MIT",
                              "version": "1.0", "url": "https://example.com", "timeout": \(timeout)},
                 "actions": [{"name": "nap", "description": "Sleeps", "display": "always",
                              "outputs": [{"name": "slept", "description": "Whether it slept", "display_as": "Slept", "default": false}]}]}
                """
            }
            try write("sleeper", "#!/bin/sh\n[ \"$1\" = --chorus-activate ] && exit 0\nsleep 5\necho '{\"data\":{\"slept\":true}}'\n", mode: 0o755)
            try write("sleeper.json", ddl("sleeper", timeout: 1), mode: 0o644)
            try write("orphan", "#!/bin/sh\nexit 0\n", mode: 0o755)
            try write("rpcutil", "#!/bin/sh\nexit 0\n", mode: 0o755)
            try write("rpcutil.json", ddl("rpcutil", timeout: 5), mode: 0o644)
        }

        static func reply(_ result: CommandResult, from node: String) throws -> [String: Any] {
            let replies = EndToEnd.RPCTests.bySender(try EndToEnd.RPCTests.replies(result))
            return try #require(replies[node], "no reply from \(node): \(result.stdout) \(result.stderr)")
        }

        static func data(_ reply: [String: Any]) -> [String: Any] { reply["data"] as? [String: Any] ?? [:] }

        @Test("the shell example fileinfo and the Python example kv answer with typed outputs and their own failure statuses")
        func examples() async throws {
            let fleet = try await Self.startFleet()
            defer { fleet.shutdown() }

            let target = fleet.serverConfig("node1")
            let size = try #require(try FileManager.default.attributesOfItem(atPath: target)[.size] as? Int)
            let stat = try Self.reply(try await fleet.chorus(["rpc", "fileinfo", "stat", "path=\(target)", "-I", "node1", "--json"]), from: "node1")
            #expect(stat["statuscode"] as? Int == 0, "\(stat)")
            #expect(Self.data(stat)["present"] as? Bool == true)
            #expect(Self.data(stat)["type"] as? String == "regular file")
            #expect(Self.data(stat)["size"] as? Int == size)

            let gone = try Self.reply(try await fleet.chorus(["rpc", "fileinfo", "stat", "path=/no/such/file", "-I", "node2", "--json"]), from: "node2")
            #expect(gone["statuscode"] as? Int == 1)
            #expect(gone["statusmsg"] as? String == "/no/such/file does not exist")
            #expect(Self.data(gone)["present"] as? Bool == false)

            let set = try await fleet.chorus(["rpc", "kv", "set", "key=motd", "value=hello; $(id) `id`", "-I", "node1", "--json"])
            #expect(set.status == 0, "\(set.stderr)")
            let setReply = try Self.reply(set, from: "node1")
            #expect(setReply["statuscode"] as? Int == 0)
            #expect(Self.data(setReply)["stored_at"] is Double)
            let stored = try String(contentsOfFile: fleet.nodeDirectory("node1").path + "/kv/motd", encoding: .utf8)
            #expect(stored == "hello; $(id) `id`")

            let get = try await fleet.chorus(["rpc", "kv", "get", "key=motd", "-I", "node1"])
            #expect(get.status == 0, "\(get.stderr)")
            #expect(get.stdout.contains("Value: hello; $(id) `id`"))
            #expect(get.stdout.contains("Found: true"))

            let incr = try Self.reply(try await fleet.chorus(["rpc", "kv", "incr", "key=deploys", "by=4", "-I", "node1", "--json"]), from: "node1")
            #expect(Self.data(incr)["value"] as? Int == 4)
            let list = try Self.reply(try await fleet.chorus(["rpc", "kv", "list", "-I", "node1", "--json"]), from: "node1")
            #expect(Self.data(list)["keys"] as? [String] == ["deploys", "motd"])
            #expect(Self.data(list)["count"] as? Int == 2)

            let missing = try Self.reply(try await fleet.chorus(["rpc", "kv", "get", "key=nothing", "-I", "node1", "--json"]), from: "node1")
            #expect(missing["statuscode"] as? Int == 1)
            #expect(missing["statusmsg"] as? String == "no key named nothing")
            #expect(Self.data(missing)["found"] as? Bool == false)

            let crash = try Self.reply(try await fleet.chorus(["rpc", "kv", "incr", "key=motd", "-I", "node1", "--json"]), from: "node1")
            #expect(crash["statuscode"] as? Int == 5)
            #expect((crash["statusmsg"] as? String)?.hasPrefix("kv#incr failed: exited with status 1: ValueError: invalid literal for int()") == true, "\(crash)")

            let doc = try await fleet.chorus(["plugin", "doc", "kv"])
            #expect(doc.status == 0, "\(doc.stderr)")
            #expect(doc.stdout.contains("A small key-value store on each node"))
            #expect(doc.stdout.contains("incr"))
            let fileinfoDoc = try await fleet.chorus(["plugin", "doc", "fileinfo"])
            #expect(fileinfoDoc.status == 0 && fileinfoDoc.stdout.contains("Describes one file or directory"), "\(fileinfoDoc.stdout)\(fileinfoDoc.stderr)")
        }

        @Test("input the DDL rejects is answered with status 4 by the node without running the program")
        func invalidInputNeverRuns() async throws {
            let fleet = try await Self.startFleet()
            defer { fleet.shutdown() }
            let audit = fleet.nodeDirectory("node1").path + "/kv-audit.log"
            func auditLines() -> Int {
                ((try? String(contentsOfFile: audit, encoding: .utf8)) ?? "").split(separator: "\n").count
            }

            let raw = try await RawClient.connect(port: fleet.port)
            let bad = RubyHash(symbolKeys: ["key": .str("../../etc/passwd"), "value": .str("x")])
            try await raw.sendDirected(try RawClient.request(agent: "kv", action: "set", data: bad, psk: fleet.psk), to: "node1")
            let refused = try #require(try await raw.nextReply(psk: fleet.psk))
            let refusedBody = try #require(RPCReplyBody(refused.body))
            #expect(refusedBody.statusCode == 4)
            #expect(refusedBody.statusMessage == #"Cannot validate input key: value should match \A[a-z0-9][a-z0-9_.-]*\z"#)
            #expect(auditLines() == 0, "the program ran for an invalid request")

            let wrongType = RubyHash(symbolKeys: ["key": .str("n"), "by": .str("lots")])
            try await raw.sendDirected(try RawClient.request(agent: "kv", action: "incr", data: wrongType, psk: fleet.psk), to: "node1")
            let wrongTypeReply = try #require(try await raw.nextReply(psk: fleet.psk))
            #expect(RPCReplyBody(wrongTypeReply.body)?.statusCode == 4)
            #expect(auditLines() == 0)

            let good = RubyHash(symbolKeys: ["key": .str("fine"), "value": .str("x")])
            try await raw.sendDirected(try RawClient.request(agent: "kv", action: "set", data: good, psk: fleet.psk), to: "node1")
            let acceptedReply = try #require(try await raw.nextReply(psk: fleet.psk))
            let accepted = try #require(RPCReplyBody(acceptedReply.body))
            #expect(accepted.statusCode == 0, "\(accepted.statusMessage)")
            #expect(auditLines() == 1)
            await raw.close()

            // The client refuses the same input before sending anything.
            let local = try await fleet.chorus(["rpc", "kv", "set", "key=../x", "value=y", "-I", "node1"])
            #expect(local.status != 0)
            #expect(local.stderr.contains("Cannot validate input key"))
            #expect(auditLines() == 1)
        }

        @Test("an action past its DDL timeout is stopped and answered with status 5 in about that time")
        func timeout() async throws {
            let fleet = try await Self.startFleet()
            defer { fleet.shutdown() }
            let result = try await fleet.chorus(["rpc", "sleeper", "nap", "-I", "node1", "--json"])
            let reply = try Self.reply(result, from: "node1")
            #expect(reply["statuscode"] as? Int == 5)
            #expect(reply["statusmsg"] as? String == "sleeper#nap timed out after 1 s")
            #expect(Self.data(reply)["slept"] as? Bool == false)
            #expect(result.seconds < 4.8, "took \(result.seconds) s (the agent sleeps 5 s unless killed)")
            // The node keeps serving afterwards.
            let ping = try Self.reply(try await fleet.chorus(["rpc", "rpcutil", "ping", "-I", "node1", "--json"]), from: "node1")
            #expect(ping["statuscode"] as? Int == 0)
        }

        @Test("an agent that declines activation is not loaded on that node; skipped candidates are logged")
        func activation() async throws {
            let fleet = try await Self.startFleet()
            defer { fleet.shutdown() }
            func agents(_ node: String) async throws -> [String] {
                let reply = try Self.reply(try await fleet.chorus(["rpc", "rpcutil", "agent_inventory", "-I", node, "--json"]), from: node)
                return (Self.data(reply)["agents"] as? [[String: Any]] ?? []).compactMap { $0["agent"] as? String }
            }
            let first = try await agents("node1")
            #expect(Set(first).isSuperset(of: ["discovery", "fileinfo", "kv", "rpcutil", "sleeper"]), "\(first)")
            #expect(!first.contains("orphan"))
            let second = try await agents("node2")
            #expect(second.contains("fileinfo") && !second.contains("kv"), "\(second)")

            let found = try await fleet.chorus(["find", "-A", "kv"])
            #expect(found.lines == ["node1"])

            let log2 = try String(contentsOfFile: fleet.logFile("node2"), encoding: .utf8)
            #expect(log2.contains("agent kv declined to load: the node's kv_enabled fact is false"))
            let log1 = try String(contentsOfFile: fleet.logFile("node1"), encoding: .utf8)
            #expect(log1.contains("/agent/orphan is not loaded: it has no DDL"))
            #expect(log1.contains("/agent/rpcutil is not loaded: rpcutil is a built-in agent"))
            #expect(!log1.contains("declined to load"))
        }
    }
}
