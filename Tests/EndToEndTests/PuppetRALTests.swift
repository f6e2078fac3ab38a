import ChorusCore
import ChorusTestSupport
import Foundation
import RubyMarshal
import Testing

extension EndToEnd {
    /// The puppetral agent and `chorus resource` through a real broker and three real nodes
    /// reading this machine's real users and groups. The nodes share one machine, so they read
    /// hosts files of the test's own (`plugin.puppetral.hosts_file`) to make variants: node1
    /// and node2 share one, node3's `vm` has another address and an alias, and `node3-only`
    /// exists only there.
    @Suite("puppetral and chorus resource, end to end")
    struct PuppetRALTests {
        /// A fleet of three nodes: node1 and node2 read one hosts file, node3 another.
        static func withFleet(_ body: (Fleet) async throws -> Void) async throws {
            let fleet = try Fleet()
            defer { fleet.shutdown() }
            try await fleet.startBroker()
            try fleet.writeClientConfig(identity: "mcoclient", path: fleet.clientConfig)
            let sharedHosts = fleet.directory.appendingPathComponent("hosts").path
            try "127.0.0.1 localhost\n10.0.0.1 vm\n".write(toFile: sharedHosts, atomically: true, encoding: .utf8)
            let node3Hosts = fleet.directory.appendingPathComponent("node3-hosts").path
            try "127.0.0.1 localhost\n10.0.0.3\tvm vm.example.com\n10.0.0.4 node3-only # only here\n".write(toFile: node3Hosts, atomically: true, encoding: .utf8)
            for node in fleet.nodes {
                try fleet.startServer(node, extra: ["plugin.puppetral.hosts_file = \(node.identity == "node3" ? node3Hosts : sharedHosts)"])
            }
            try await fleet.waitForNodes(fleet.nodes.map(\.identity))
            try await body(fleet)
        }

        static func replies(_ result: CommandResult) throws -> [String: RubyValue] {
            let parsed = try RubyValue(json: result.stdout)
            var table: [String: RubyValue] = [:]
            for reply in try #require(parsed.arrayValue, "not a JSON array: \(result.stdout) \(result.stderr)") {
                table[reply["sender"]?.stringValue ?? ""] = reply
            }
            return table
        }

        @Test("rpc find, search, invalid input (status 4), unknown type (status 1); chorus resource list, variants, JSON, every type")
        func everything() async throws {
            try await Self.withFleet { fleet in
                // find user root: every node reads the machine's root.
                let find = try await fleet.chorus(["rpc", "puppetral", "find", "type=user", "title=root", "--json"])
                #expect(find.status == 0, "\(find.stderr)")
                let found = try Self.replies(find)
                #expect(Set(found.keys) == ["node1", "node2", "node3"])
                for (node, reply) in found {
                    #expect(reply["statuscode"] == .int(0), "\(node)")
                    let data = try #require(reply["data"])
                    #expect(data["type"] == .str("User") && data["title"] == .str("root") && data["exported"] == .bool(false))
                    #expect(data["tags"] == .array([.str("user"), .str("root")]))
                    #expect(data["parameters"]?["uid"] == .int(0) && data["parameters"]?["home"] == .str("/root") && data["parameters"]?["ensure"] == .str("present"))
                }

                // search type=group on one node: every group of /etc/group.
                let search = try await fleet.chorus(["rpc", "puppetral", "search", "type=group", "-I", "node2", "--json"])
                #expect(search.status == 0, "\(search.stderr)")
                let result = try #require(try Self.replies(search)["node2"]?["data"]?["result"]?.asHash)
                let groupNames = try String(contentsOfFile: "/etc/group", encoding: .utf8).split(separator: "\n").map { String($0.prefix { $0 != ":" }) }
                #expect(result.keys.compactMap(\.stringValue) == groupNames)
                #expect(result["root"]?["parameters"]?["gid"] == .int(0))

                // Text output of find shows the DDL's labels.
                let text = try await fleet.chorus(["rpc", "puppetral", "find", "type=group", "title=root", "-I", "node1"])
                #expect(text.status == 0 && text.stdout.contains("Parameters:") && text.stdout.contains("Tags:"), "\(text.stdout)")

                // The client's own DDL refuses an over-long title before sending.
                let refused = try await fleet.chorus(["rpc", "puppetral", "find", "type=user", "title=\(String(repeating: "a", count: 91))"])
                #expect(refused.status == 1 && refused.stderr.contains("longer than 90 character(s)"), "\(refused.stderr)")

                // Sent anyway (a raw client skips the client's checks), the nodes answer status 4.
                let raw = try await RawClient.connect(port: fleet.port)
                let invalid: [(RubyHash, String)] = [
                    (RubyHash(symbolKeys: ["type": "user", "title": .str(String(repeating: "a", count: 91))]), "Cannot validate input title: Input string is longer than 90 character(s)"),
                    (RubyHash(symbolKeys: ["title": "root"]), "Action find needs a type argument"),
                    (RubyHash(symbolKeys: ["type": "user"]), "Action find needs a title argument"),
                    (RubyHash(symbolKeys: ["type": "service", "title": "../../usr/bin/id"]), "Cannot validate input title: a service name cannot contain '/'"),
                ]
                for (data, message) in invalid {
                    try await raw.sendDirected(try RawClient.request(agent: "puppetral", action: "find", data: data, psk: fleet.psk), to: "node1")
                    let reply = try #require(try await raw.nextReply(psk: fleet.psk, timeout: .seconds(10)), "no reply to \(data)")
                    let body = try #require(RPCReplyBody(reply.body))
                    #expect(body.statusCode == 4 && body.statusMessage == message, "\(body.statusMessage)")
                }
                await raw.close()

                // Unknown types: status 1 naming the supported ones.
                let unknown = try await fleet.chorus(["rpc", "puppetral", "find", "type=file", "title=/etc/motd", "-I", "node1", "--json"])
                let unknownReply = try #require(try Self.replies(unknown)["node1"])
                #expect(unknownReply["statuscode"] == .int(1))
                #expect(unknownReply["statusmsg"] == .str("Resource type 'file' is not supported: Chorus's puppetral reads group, host, package, service, user"))

                // chorus resource host: each host, its nodes and variants.
                let list = try await fleet.chorus(["resource", "host"])
                #expect(list.status == 0, "\(list.stderr)")
                #expect(list.stdout.contains("host resources on 3 nodes"), "\(list.stdout)")
                #expect(list.lines.contains { $0.hasPrefix("* vm ") && $0.hasSuffix("3         2") }, "\(list.stdout)")
                #expect(list.lines.contains { $0.hasPrefix("* localhost ") && $0.hasSuffix("3         2") }, "its target differs: \(list.stdout)")
                #expect(list.lines.contains { $0.hasPrefix("  node3-only ") && $0.hasSuffix("1         1") }, "\(list.stdout)")
                let byVariants = try await fleet.chorus(["resource", "host", "--sort", "variants"])
                let header = try #require(byVariants.lines.firstIndex { $0.contains("NAME") })
                let rows = byVariants.lines[(header + 1)...].prefix(3).map { String($0.dropFirst(2).prefix { $0 != " " }) }
                #expect(rows == ["localhost", "vm", "node3-only"], "\(byVariants.stdout)")

                // chorus resource host vm: two variants, the differing properties marked.
                let inspect = try await fleet.chorus(["resource", "host", "vm"])
                #expect(inspect.status == 0, "\(inspect.stderr)")
                #expect(inspect.stdout.contains("host 'vm': 2 variants on 3 nodes; differing: ip, target, host_aliases"), "\(inspect.stdout)")
                #expect(inspect.stdout.contains("Variant 1 of 2, on 2 nodes: node1, node2"))
                #expect(inspect.stdout.contains("Variant 2 of 2, on 1 node: node3"))
                #expect(inspect.stdout.contains("*   ip     => '10.0.0.1',"), "\(inspect.stdout)")
                #expect(inspect.stdout.contains("*   ip           => '10.0.0.3',"), "\(inspect.stdout)")
                #expect(inspect.stdout.contains("*   host_aliases => ['vm.example.com'],"))
                #expect(inspect.stdout.contains("    ensure       => 'present',"), "ensure is the same everywhere: not marked")

                let json = try await fleet.chorus(["resource", "host", "vm", "--json"])
                let grouped = try RubyValue(json: json.stdout)
                #expect(grouped["differing"] == .array([.str("ip"), .str("target"), .str("host_aliases")]))
                #expect(grouped["variants"]?.arrayValue?.map { $0["nodes"] } == [.array([.str("node1"), .str("node2")]), .array([.str("node3")])])

                // Same user everywhere: one variant, nothing marked; a filter narrows the nodes.
                let root = try await fleet.chorus(["resource", "user", "root", "-F", "osfamily=Debian"])
                #expect(root.stdout.hasPrefix("user 'root': 1 variant on 2 nodes\n"), "\(root.stdout)")
                #expect(!root.stdout.contains("* "))

                // Bad arguments are refused before anything is sent.
                let badType = try await fleet.chorus(["resource", "file"])
                #expect(badType.status == 1 && badType.stderr.contains("unknown resource type 'file': use one of group, host, package, service, user"))

                // Inspect All: every type, hosts not all alike.
                let all = try await fleet.chorus(["resource", "--json"])
                #expect(all.status == 0, "\(all.stderr)")
                let types = try #require(try RubyValue(json: all.stdout)["types"]?.arrayValue)
                #expect(types.compactMap { $0["type"]?.stringValue } == ["group", "host", "package", "service", "user"])
                let hostRow = try #require(types.first { $0["type"] == .str("host") })
                #expect(hostRow["resources"] == .int(3) && hostRow["with_variants"] == .int(2))
                #expect(types.first { $0["type"] == .str("user") }?["similarity"] == .float(1))
            }
        }
    }
}
