import ChorusTestSupport
import Foundation
import Testing

extension EndToEnd {
    /// `rpcauthorization = 1` with `rpcauthprovider = action_policy` on real nodes: policy files
    /// in each node's `<configdir>/policies`, requests from the real `chorus` client (whose psk
    /// caller id is `uid=<our uid>`), answers read from `--json`.
    @Suite("ActionPolicy, end to end")
    struct ActionPolicyTests {
        static let authorization = ["rpcauthorization = 1", "rpcauthprovider = action_policy"]
        static let denial = "You are not authorized to call this agent or action."
        static let caller = "uid=\(getuid())"

        static func policyFile(_ fleet: Fleet, _ node: String) -> URL {
            fleet.nodeDirectory(node).appendingPathComponent("policies/rpcutil.policy")
        }

        /// Writes a node's rpcutil policy, replacing the file atomically (a new file renamed over
        /// the old one) so a request never sees it half-written.
        static func writePolicy(_ fleet: Fleet, _ node: String, _ text: String) throws {
            let url = policyFile(fleet, node)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try text.write(to: url, atomically: true, encoding: .utf8)
        }

        /// Replies of one `chorus rpc … --json` call by sender, and its exit status.
        static func call(_ fleet: Fleet, _ arguments: [String]) async throws -> (status: Int32, replies: [String: [String: Any]]) {
            let result = try await fleet.chorus(["rpc", "rpcutil"] + arguments + ["--json"])
            let parsed = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8))
            let list = try #require(parsed as? [[String: Any]], "not a JSON array: \(result.stdout) \(result.stderr)")
            var bySender: [String: [String: Any]] = [:]
            for reply in list { bySender[reply["sender"] as? String ?? ""] = reply }
            return (result.status, bySender)
        }

        /// Every node answers `ping` with status 0.
        static func expectPings(_ fleet: Fleet, _ context: String) async throws {
            let ping = try await call(fleet, ["ping"])
            #expect(ping.status == 0, "\(context)")
            #expect(Set(ping.replies.keys) == ["node1", "node2", "node3"], "\(context)")
            #expect(ping.replies.values.allSatisfy { $0["statuscode"] as? Int == 0 }, "\(context)")
        }

        static func pingRounds(_ fleet: Fleet, _ rounds: Int) async throws {
            for round in 0..<rounds { try await expectPings(fleet, "while policies are rewritten, round \(round)") }
        }

        static func stats(_ fleet: Fleet, _ node: String) async throws -> [String: Any] {
            let result = try await call(fleet, ["daemon_stats", "-I", node])
            return try #require(result.replies[node]?["data"] as? [String: Any], "no daemon_stats from \(node)")
        }

        @Test("a policy denies get_fact on the db node (status 1, counted, logged), rewrites apply without a restart, ping keeps working")
        func denyCountReload() async throws {
            let fleet = try Fleet()
            defer { fleet.shutdown() }
            try await fleet.startBroker()
            try fleet.writeClientConfig(identity: "mcoclient", path: fleet.clientConfig)
            let policy = """
                # rpcutil: everyone may ping and read stats; nobody reads facts on database nodes
                policy default deny
                allow\t*\tping daemon_stats\t*
                deny\t*\tget_fact\trole=db\t*
                allow\t\(Self.caller)\tget_fact\t*\t*

                """
            for node in fleet.nodes {
                try Self.writePolicy(fleet, node.identity, policy)
                try fleet.startServer(node, extra: Self.authorization)
            }
            try await fleet.waitForNodes(["node1", "node2", "node3"])
            try await Self.expectPings(fleet, "at start")
            let pid = try #require(try await Self.stats(fleet, "node2")["pid"] as? Int)

            // Denied on node2 (role=db) only; the others answer with data.
            let first = try await Self.call(fleet, ["get_fact", "fact=role"])
            #expect(first.status == 2, "a failed reply makes the exit status 2")
            #expect(Set(first.replies.keys) == ["node1", "node2", "node3"])
            #expect(first.replies["node2"]?["statuscode"] as? Int == 1)
            #expect(first.replies["node2"]?["statusmsg"] as? String == Self.denial)
            for node in ["node1", "node3"] {
                #expect(first.replies[node]?["statuscode"] as? Int == 0)
                #expect((first.replies[node]?["data"] as? [String: Any])?["value"] as? String == "web")
            }

            // The text output shows the denial too.
            let text = try await fleet.chorus(["rpc", "rpcutil", "get_fact", "fact=role", "-I", "node2"])
            #expect(text.stdout.contains(Self.denial), "\(text.stdout)")

            // Counted in daemon_stats (two denials so far) and logged with caller, agent, action and line.
            #expect(try await Self.stats(fleet, "node2")["unauthorized"] as? Int == 2)
            #expect(try await Self.stats(fleet, "node1")["unauthorized"] as? Int == 0)
            let log = try String(contentsOfFile: fleet.logFile("node2"), encoding: .utf8)
            #expect(log.contains("denied rpcutil#get_fact for \(Self.caller)@mcoclient"), "\(log.suffix(2000))")
            #expect(log.contains("rpcutil.policy line 4"))

            // Rewrite node2's policy while pings run: get_fact is now allowed there, and denied on
            // node1 for this caller by id. The nodes are not restarted.
            async let pingsDuringRewrite: Void = Self.pingRounds(fleet, 4)
            try await Task.sleep(for: .milliseconds(300))
            try Self.writePolicy(fleet, "node2", "policy default allow\n")
            try Self.writePolicy(fleet, "node1", "policy default deny\nallow\t*\tping daemon_stats\t*\ndeny\t\(Self.caller)\tget_fact\t*\t*\n")
            try await pingsDuringRewrite

            let second = try await Self.call(fleet, ["get_fact", "fact=role"])
            #expect(second.replies["node2"]?["statuscode"] as? Int == 0)
            #expect((second.replies["node2"]?["data"] as? [String: Any])?["value"] as? String == "db")
            #expect(second.replies["node1"]?["statuscode"] as? Int == 1)
            #expect(second.replies["node1"]?["statusmsg"] as? String == Self.denial)
            #expect(second.replies["node3"]?["statuscode"] as? Int == 0)
            #expect(try await Self.stats(fleet, "node2")["pid"] as? Int == pid, "node2 was not restarted")
            #expect(try await Self.stats(fleet, "node1")["unauthorized"] as? Int == 1)

            // A malformed policy fails closed on node3 (even ping), the node keeps serving
            // discovery, and fixing the file restores service.
            try Self.writePolicy(fleet, "node3", "policy default allow\ndeny * get_fact * *\n")
            let broken = try await Self.call(fleet, ["ping", "-I", "node3"])
            #expect(broken.replies["node3"]?["statuscode"] as? Int == 1)
            let found = try await fleet.chorus(["find"])
            #expect(found.lines.contains("node3"))
            let node3Log = try String(contentsOfFile: fleet.logFile("node3"), encoding: .utf8)
            #expect(node3Log.contains("rpcutil.policy:2:"), "the malformed line is logged")
            try Self.writePolicy(fleet, "node3", policy)
            try await Self.expectPings(fleet, "after the fix")
        }

        @Test("a node with rpcauthorization and an unknown rpcauthprovider refuses to start, saying why")
        func unknownProvider() async throws {
            let fleet = try Fleet()
            defer { fleet.shutdown() }
            let config = fleet.directory.appendingPathComponent("server.cfg").path
            let lines = fleet.connectionConfig(identity: "node1") + Fleet.securityConfig(fleet.security, role: .server)
                + ["rpcauthorization = 1", "rpcauthprovider = rpcutil_policy"]
            try lines.joined(separator: "\n").write(toFile: config, atomically: true, encoding: .utf8)
            let result = try await CommandResult.run(["server", "-c", config, "--console"])
            #expect(result.status != 0)
            #expect(result.stderr.contains("rpcauthprovider = rpcutil_policy is not supported"), "\(result.stderr)")
            #expect(result.stderr.contains("action_policy"))
        }
    }
}
