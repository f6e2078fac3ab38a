import ChorusTestSupport
import Foundation
import Testing

extension EndToEnd {
    /// `chorus rpc`, `facts` and `inventory` against real nodes: every rpcutil action, the
    /// output formats, batching, limits, fire-and-forget, and exit codes.
    @Suite("RPC, end to end")
    struct RPCTests {
        /// Decodes `--json` output into an array of reply objects.
        static func replies(_ result: CommandResult) throws -> [[String: Any]] {
            let data = Data(result.stdout.utf8)
            let object = try JSONSerialization.jsonObject(with: data)
            return try #require(object as? [[String: Any]], "not a JSON array: \(result.stdout)")
        }

        static func bySender(_ replies: [[String: Any]]) -> [String: [String: Any]] {
            var table: [String: [String: Any]] = [:]
            for reply in replies { table[reply["sender"] as? String ?? ""] = reply }
            return table
        }

        @Test("rpcutil ping: every node answers with its time")
        func ping() async throws {
            let fleet = try await SharedFleet.shared.get()
            let result = try await fleet.chorus(["rpc", "rpcutil", "ping", "--json"])
            #expect(result.status == 0)
            let replies = Self.bySender(try Self.replies(result))
            #expect(Set(replies.keys) == ["node1", "node2", "node3"])
            let now = Int(Date().timeIntervalSince1970)
            for (_, reply) in replies {
                #expect(reply["statuscode"] as? Int == 0)
                #expect(reply["agent"] as? String == "rpcutil" && reply["action"] as? String == "ping")
                let pong = try #require((reply["data"] as? [String: Any])?["pong"] as? Int)
                #expect(abs(pong - now) < 30)
            }
        }

        @Test("rpcutil get_fact, text output with the DDL's labels and the aggregate summary")
        func getFactText() async throws {
            let fleet = try await SharedFleet.shared.get()
            let result = try await fleet.chorus(["rpc", "rpcutil", "get_fact", "fact=osfamily"])
            #expect(result.status == 0, "\(result.stderr)")
            #expect(result.stdout.contains("Fact: osfamily"))
            #expect(result.stdout.contains("Value: Debian"))
            #expect(result.stdout.contains("Value: RedHat"))
            #expect(result.stdout.contains("Summary of Value:"))
            #expect(result.stdout.range(of: #"Debian = 2"#) != nil)
            #expect(result.stdout.range(of: #"RedHat = 1"#) != nil)
            #expect(result.stdout.contains("Finished processing 3 / 3 hosts"))
            #expect(result.stderr.contains("Discovering hosts using the mc method"))
        }

        @Test("rpcutil get_facts, inventory, agent_inventory, collective_info, daemon_stats, get_config_item, get_data")
        func everyAction() async throws {
            let fleet = try await SharedFleet.shared.get()

            let facts = Self.bySender(try Self.replies(try await fleet.chorus(["rpc", "rpcutil", "get_facts", "facts=role,osfamily", "-I", "node2", "--json"])))
            let values = try #require((facts["node2"]?["data"] as? [String: Any])?["values"] as? [String: String])
            #expect(values == ["role": "db", "osfamily": "RedHat"])

            let inventory = Self.bySender(try Self.replies(try await fleet.chorus(["rpc", "rpcutil", "inventory", "-I", "node1", "--json"])))
            let data = try #require(inventory["node1"]?["data"] as? [String: Any])
            #expect(data["agents"] as? [String] == ["discovery", "package", "puppet", "puppetral", "rpcutil", "service"])
            #expect(data["classes"] as? [String] == ["settings", "default", "web::nginx", "common"])
            #expect((data["facts"] as? [String: String])?["cores"] == "4")
            #expect(data["main_collective"] as? String == "mcollective")
            #expect(data["collectives"] as? [String] == ["mcollective"])
            #expect((data["data_plugins"] as? [String])?.contains("fstat_data") == true)

            let agents = Self.bySender(try Self.replies(try await fleet.chorus(["rpc", "rpcutil", "agent_inventory", "-I", "node3", "--json"])))
            let list = try #require((agents["node3"]?["data"] as? [String: Any])?["agents"] as? [[String: Any]])
            #expect(list.compactMap { $0["agent"] as? String } == ["discovery", "package", "puppet", "puppetral", "rpcutil", "service"])
            #expect(list.first { $0["agent"] as? String == "rpcutil" }?["timeout"] as? Int == 10)

            let collective = Self.bySender(try Self.replies(try await fleet.chorus(["rpc", "rpcutil", "collective_info", "-I", "node1", "--json"])))
            #expect((collective["node1"]?["data"] as? [String: Any])?["main_collective"] as? String == "mcollective")

            let stats = Self.bySender(try Self.replies(try await fleet.chorus(["rpc", "rpcutil", "daemon_stats", "-I", "node1", "--json"])))
            let statsData = try #require(stats["node1"]?["data"] as? [String: Any])
            let total = try #require(statsData["total"] as? Int)
            let passed = try #require(statsData["passed"] as? Int)
            #expect(total >= passed && passed >= 1)
            #expect((statsData["configfile"] as? String) == fleet.serverConfig("node1"))
            #expect(statsData["pid"] as? Int ?? 0 > 0)
            #expect((statsData["times"] as? [String: Any])?["utime"] is Double)

            let config = Self.bySender(try Self.replies(try await fleet.chorus(["rpc", "rpcutil", "get_config_item", "item=identity", "-I", "node2", "--json"])))
            #expect((config["node2"]?["data"] as? [String: Any])?["value"] as? String == "node2")

            let fstat = Self.bySender(try Self.replies(try await fleet.chorus(["rpc", "rpcutil", "get_data", "source=fstat", "query=/etc/passwd", "-I", "node3", "--json"])))
            let fstatData = try #require(fstat["node3"]?["data"] as? [String: Any])
            #expect(fstatData["type"] as? String == "file")
            #expect(fstatData["output"] as? String == "present")
            let size = try #require(fstatData["size"] as? Int)
            let realSize = try FileManager.default.attributesOfItem(atPath: "/etc/passwd")[.size] as? Int
            #expect(size == realSize)
        }

        @Test("a secret is never answered by get_config_item; an unknown item fails with status 1 and exit 2")
        func configItemFailures() async throws {
            let fleet = try await SharedFleet.shared.get()
            for item in ["plugin.psk", "nosuch"] {
                let result = try await fleet.chorus(["rpc", "rpcutil", "get_config_item", "item=\(item)", "-I", "node1"])
                #expect(result.status == 2, "\(item): \(result.stdout)")
                #expect(result.stdout.contains("Request Aborted"))
                #expect(result.stdout.contains("Unknown config property \(item)"))
                #expect(!result.stdout.contains(fleet.psk))
            }
        }

        @Test("facts reports each value and how often")
        func factsReport() async throws {
            let fleet = try await SharedFleet.shared.get()
            let result = try await fleet.chorus(["facts", "role"])
            #expect(result.status == 0, "\(result.stderr)")
            #expect(result.stdout.contains("Report for fact: role"))
            #expect(result.stdout.range(of: #"db\s+found 1 times"#, options: .regularExpression) != nil)
            #expect(result.stdout.range(of: #"web\s+found 2 times"#, options: .regularExpression) != nil)
        }

        @Test("inventory shows statistics, agents, classes and facts of one node")
        func inventory() async throws {
            let fleet = try await SharedFleet.shared.get()
            let result = try await fleet.chorus(["inventory", "node1"])
            #expect(result.status == 0, "\(result.stderr)")
            #expect(result.stdout.contains("Inventory for node1:"))
            #expect(result.stdout.contains("web::nginx"))
            #expect(result.stdout.contains("osfamily => Debian"))
            #expect(result.stdout.contains("rpcutil"))
            let missing = try await fleet.chorus(["inventory", "node9", "-t", "1"])
            #expect(missing.status == 4)
        }

        @Test("batches of one: every node answers, one batch after another")
        func batch() async throws {
            let fleet = try await SharedFleet.shared.get()
            let result = try await fleet.chorus(["rpc", "rpcutil", "ping", "--batch", "1", "--batch-sleep", "0.3", "--json"])
            #expect(result.status == 0)
            #expect(Set(try Self.replies(result).compactMap { $0["sender"] as? String }) == ["node1", "node2", "node3"])
            #expect(result.seconds >= 0.6, "two sleeps between three batches")
        }

        @Test("--limit-nodes and -1 address a subset; the same seed picks the same nodes")
        func limits() async throws {
            let fleet = try await SharedFleet.shared.get()
            let one = try await fleet.chorus(["rpc", "rpcutil", "ping", "-1", "--json"])
            #expect(try Self.replies(one).count == 1)
            let first = try await fleet.chorus(["rpc", "rpcutil", "ping", "--limit-nodes", "2", "--limit-seed", "7", "--json"])
            let second = try await fleet.chorus(["rpc", "rpcutil", "ping", "--ln", "2", "--limit-seed", "7", "--json"])
            let a = Set(try Self.replies(first).compactMap { $0["sender"] as? String })
            let b = Set(try Self.replies(second).compactMap { $0["sender"] as? String })
            #expect(a.count == 2 && a == b)
            let percent = try await fleet.chorus(["rpc", "rpcutil", "ping", "--limit-nodes", "34%", "--json"])
            #expect(try Self.replies(percent).count == 1)
        }

        @Test("--no-results sends without waiting and the nodes still run the action")
        func fireAndForget() async throws {
            let fleet = try await SharedFleet.shared.get()
            func total() async throws -> Int {
                let stats = Self.bySender(try Self.replies(try await fleet.chorus(["rpc", "rpcutil", "daemon_stats", "-I", "node3", "--json"])))
                return try #require((stats["node3"]?["data"] as? [String: Any])?["replies"] as? Int)
            }
            let before = try await total()
            let result = try await fleet.chorus(["rpc", "rpcutil", "ping", "--no-results", "-I", "node3"])
            #expect(result.status == 0)
            let sent = result.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
            #expect(sent.range(of: #"^Request sent with id: [0-9a-f]{32}$"#, options: .regularExpression) != nil, "\(sent)")
            try await Task.sleep(for: .milliseconds(300))
            let after = try await total()
            // daemon_stats itself replied once in between; the fire-and-forget ping must not have.
            #expect(after == before + 1)
            let log = try String(contentsOfFile: fleet.logFile("node3"), encoding: .utf8)
            #expect(log.contains("running rpcutil"))
        }

        @Test("a node that does not exist: 'No response from', exit 4 without discovery")
        func missingNode() async throws {
            let fleet = try await SharedFleet.shared.get()
            let result = try await fleet.chorus(["rpc", "rpcutil", "ping", "-I", "node1", "-I", "node9", "-t", "1"])
            #expect(result.status == 0, "one answered, none failed (mco's rule)")
            #expect(result.stdout.contains("No response from"))
            #expect(result.stdout.contains("node9"))
            #expect(result.stdout.contains("Finished processing 1 / 2 hosts"))
            let none = try await fleet.chorus(["rpc", "rpcutil", "ping", "-I", "node9", "-t", "1"])
            #expect(none.status == 4)
        }

        @Test("nothing discovered: exit 1 and 'No request sent'")
        func nothingDiscovered() async throws {
            let fleet = try await SharedFleet.shared.get()
            let result = try await fleet.chorus(["rpc", "rpcutil", "ping", "-F", "role=nonexistent", "--dt", "1"])
            #expect(result.status == 1)
            #expect(result.stdout.contains("No request sent, we did not discover any nodes."))
        }

        @Test("client-side DDL validation refuses bad input before sending", arguments: [
            (["rpc", "rpcutil", "get_fact"], "Action get_fact needs a fact argument"),
            (["rpc", "rpcutil", "get_fact", "fact=bad fact!"], "Cannot validate input fact"),
            (["rpc", "rpcutil", "nosuchaction"], "Attempted to call action nosuchaction for rpcutil but it's not declared in the DDL"),
            (["rpc", "nosuchagent", "ping"], "Can't find DDL for agent plugin 'nosuchagent'"),
        ])
        func clientValidation(arguments: [String], message: String) async throws {
            let fleet = try await SharedFleet.shared.get()
            let result = try await fleet.chorus(arguments)
            #expect(result.status == 1)
            #expect(result.stderr.contains(message), "\(result.stderr)")
        }

        @Test("verbose output shows status messages and the call statistics")
        func verbose() async throws {
            let fleet = try await SharedFleet.shared.get()
            let result = try await fleet.chorus(["rpc", "rpcutil", "ping", "-v", "-I", "node1"])
            #expect(result.status == 0)
            #expect(result.stdout.contains("node1"))
            #expect(result.stdout.contains(": OK"))
            #expect(result.stdout.contains("rpcutil#ping call stats"))
        }

        @Test("--display failed hides successful replies; --display all shows them")
        func display() async throws {
            let fleet = try await SharedFleet.shared.get()
            let failedOnly = try await fleet.chorus(["rpc", "rpcutil", "ping", "--display", "failed", "-I", "node1", "-I", "node2"])
            #expect(failedOnly.status == 0)
            #expect(!failedOnly.stdout.contains("Timestamp:"))
            #expect(failedOnly.stdout.contains("Finished processing 2 / 2 hosts"))
            let all = try await fleet.chorus(["rpc", "rpcutil", "ping", "--display", "all", "-I", "node1"])
            #expect(all.stdout.contains("Timestamp:"))
            let bad = try await fleet.chorus(["rpc", "rpcutil", "ping", "--display", "some"])
            #expect(bad.status != 0)
        }

        @Test("plugin doc documents rpcutil from its DDL")
        func pluginDoc() async throws {
            let fleet = try await SharedFleet.shared.get()
            let result = try await fleet.chorus(["plugin", "doc", "rpcutil"])
            #expect(result.status == 0)
            for action in ["agent_inventory", "collective_info", "daemon_stats", "get_config_item", "get_data", "get_fact", "get_facts", "inventory", "ping"] {
                #expect(result.stdout.contains(action))
            }
            let list = try await fleet.chorus(["plugin", "doc"])
            #expect(list.stdout.contains("discovery") && list.stdout.contains("rpcutil"))
        }
    }
}
