import ChorusCore
import ChorusTestSupport
import Foundation
import RubyMarshal
import Testing

extension EndToEnd {
    /// `rpcaudit = 1` on real nodes, next to a real MCollective 2.12 `mcollectived` auditing the
    /// same requests with its own Logfile plugin: the ORACLE for the line format.
    @Suite("Audit, end to end (with a real mcollectived as the oracle)")
    struct AuditTests {
        /// Starts a real `mcollectived` named `identity` on the fleet's broker, auditing to `auditLog`.
        static func startMCollective(_ fleet: Fleet, identity: String, auditLog: String) throws -> ChildProcess {
            let directory = fleet.directory.appendingPathComponent(identity)
            try FileManager.default.createDirectory(at: directory.appendingPathComponent("plugins"), withIntermediateDirectories: true)
            try "role: web\n".write(to: directory.appendingPathComponent("facts.yaml"), atomically: true, encoding: .utf8)
            try "common\n".write(to: directory.appendingPathComponent("classes.txt"), atomically: true, encoding: .utf8)
            let config = fleet.connectionConfig(identity: identity) + Fleet.securityConfig(fleet.security, role: .server) + [
                "plugin.yaml = \(directory.appendingPathComponent("facts.yaml").path)",
                "classesfile = \(directory.appendingPathComponent("classes.txt").path)",
                "libdir = \(directory.appendingPathComponent("plugins").path)",
                "logfile = \(directory.appendingPathComponent("mcollectived.log").path)",
                "loglevel = info",
                "daemonize = 0",
                "rpcaudit = 1",
                "rpcauditprovider = logfile",
                "plugin.rpcaudit.logfile = \(auditLog)",
            ]
            let path = directory.appendingPathComponent("server.cfg").path
            try config.joined(separator: "\n").write(toFile: path, atomically: true, encoding: .utf8)
            return try ChildProcess(
                executable: "/usr/sbin/mcollectived", arguments: ["--config=\(path)", "--no-daemonize"],
                log: directory.appendingPathComponent("stdout.log").path)
        }

        static func lines(_ path: String) throws -> [String] {
            try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n").map(String.init)
        }

        /// The line without its `[YYYY-MM-DD HH:MM:SS UTC] ` time stamp, which must be there.
        static func withoutStamp(_ line: String) -> String? {
            guard let match = line.firstMatch(of: #/^\[\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC\] /#) else { return nil }
            return String(line[match.range.upperBound...])
        }

        @Test("logfile lines equal mcollectived's for the same requests; jsonl lines carry the same fields; rejected requests are not audited")
        func auditTrail() async throws {
            let fleet = try Fleet(nodes: Array(Fleet.oracleNodes.prefix(2)))
            defer { fleet.shutdown() }
            try await fleet.startBroker()
            try fleet.writeClientConfig(identity: "mcoclient", path: fleet.clientConfig)
            let logfile = fleet.directory.appendingPathComponent("node1-audit.log").path
            let jsonl = fleet.directory.appendingPathComponent("node2-audit.jsonl").path
            let oracle = fleet.directory.appendingPathComponent("mco1-audit.log").path
            try fleet.startServer(fleet.nodes[0], extra: ["rpcaudit = 1", "rpcauditprovider = logfile", "plugin.rpcaudit.logfile = \(logfile)"])
            try fleet.startServer(fleet.nodes[1], extra: ["rpcaudit = 1", "rpcauditprovider = jsonl", "plugin.rpcaudit.logfile = \(jsonl)"])
            let mcollectived = try Self.startMCollective(fleet, identity: "mco1", auditLog: oracle)
            defer { mcollectived.stop() }
            try await fleet.waitForNodes(["node1", "node2", "mco1"])
            let started = Int(Date().timeIntervalSince1970)

            let everyone = ["-I", "node1", "-I", "node2", "-I", "mco1"]
            let fact = try await fleet.chorus(["rpc", "rpcutil", "get_fact", "fact=osfamily", "--json"] + everyone)
            #expect(fact.status == 0, "\(fact.stderr)")
            #expect(try EndToEnd.RPCTests.replies(fact).count == 3)
            let ping = try await fleet.chorus(["rpc", "rpcutil", "ping"] + everyone)
            #expect(ping.status == 0, "\(ping.stderr)")
            // Refused by DDL validation (status 4) on every node: never audited, as in MCollective.
            let raw = try await RawClient.connect(port: fleet.port)
            for node in ["node1", "node2", "mco1"] {
                try await raw.sendDirected(try RawClient.request(action: "get_fact", psk: fleet.psk), to: node)
                let reply = try #require(try await raw.nextReply(psk: fleet.psk, timeout: .seconds(5)), "\(node) did not answer")
                #expect(RPCReplyBody(reply.body)?.statusCode == 4)
            }
            await raw.close()
            let finished = Int(Date().timeIntervalSince1970)

            let theirs = try Self.lines(oracle)
            let ours = try Self.lines(logfile)
            try #require(theirs.count == 2, "mcollectived audited: \(theirs)")
            #expect(ours.count == 2, "\(ours)")
            for (our, their) in zip(ours, theirs) {
                let ourText = try #require(Self.withoutStamp(our), "\(our)")
                #expect(ourText == Self.withoutStamp(their), "\(our)\n\(their)")
            }
            #expect(ours.first?.contains("caller=uid=0@mcoclient agent=rpcutil action=get_fact data={:fact=>\"osfamily\", :process_results=>true}") == true)
            var status = stat()
            #expect(stat(logfile, &status) == 0 && status.st_mode & 0o777 == 0o600)

            let records = try Self.lines(jsonl).map { line -> [String: Any] in
                try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any], "\(line)")
            }
            try #require(records.count == 2)
            for (record, our) in zip(records, ours) {
                let id = try #require(record["requestid"] as? String)
                #expect(our.contains("reqid=\(id): reqtime=\(record["requesttime"] as? Int ?? -1) "))
                #expect(record["caller"] as? String == "uid=0" && record["sender"] as? String == "mcoclient")
                #expect(record["agent"] as? String == "rpcutil")
                let ts = try #require(record["ts"] as? String)
                #expect(ts.wholeMatch(of: #/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z/#) != nil)
                let requestTime = try #require(record["requesttime"] as? Int)
                #expect(requestTime >= started - 1 && requestTime <= finished + 1)
            }
            #expect(records[0]["action"] as? String == "get_fact" && records[1]["action"] as? String == "ping")
            let data = try #require(records[0]["data"] as? [String: Any])
            #expect(data.count == 2 && data["fact"] as? String == "osfamily" && data["process_results"] as? Bool == true)

            // The audit file becomes unwritable: the node logs it once and keeps answering.
            try FileManager.default.removeItem(atPath: logfile)
            try FileManager.default.createDirectory(atPath: logfile, withIntermediateDirectories: false)
            for _ in 0..<2 {
                let again = try await fleet.chorus(["rpc", "rpcutil", "ping", "-I", "node1", "--json"])
                let replies = try EndToEnd.RPCTests.replies(again)
                #expect(again.status == 0 && replies.count == 1)
            }
            let log = try String(contentsOfFile: fleet.logFile("node1"), encoding: .utf8)
            #expect(log.components(separatedBy: "cannot write the audit log \(logfile)").count == 2)
            #expect(log.contains("auditing requests to \(logfile) (logfile)"))
        }

        @Test("an unknown rpcauditprovider stops the node at start with the choices")
        func unknownProvider() async throws {
            let fleet = try Fleet(nodes: [Fleet.oracleNodes[0]])
            defer { fleet.shutdown() }
            try await fleet.startBroker()
            try fleet.startServer(fleet.nodes[0], extra: ["rpcaudit = 1", "rpcauditprovider = syslog"])
            let result = try await CommandResult.run(["server", "-c", fleet.serverConfig("node1")])
            #expect(result.status != 0)
            #expect(result.stderr.contains("rpcauditprovider = syslog is not supported; use rpcauditprovider = logfile"))
        }
    }
}
