import Foundation
import ChorusTestSupport
import Testing

extension EndToEnd {
    /// `chorus ping` and `chorus find` against real processes, with the filters and the
    /// node sets real MCollective printed for the same facts (../shared/oracle/cli_outputs/find_*).
    @Suite("Discovery and filters, end to end")
    struct DiscoveryTests {
        @Test("ping lists every node with its time, statistics, and does not wait the full timeout")
        func ping() async throws {
            let fleet = try await SharedFleet.shared.get()
            let result = try await fleet.chorus(["ping"])
            #expect(result.status == 0, "\(result.stderr)")
            let nodeLines = result.lines.filter { $0.contains("time=") }
            #expect(Set(nodeLines.map { String($0.prefix(while: { $0 != " " })) }) == ["node1", "node2", "node3"])
            #expect(result.stdout.contains("---- ping statistics ----"))
            #expect(result.stdout.contains("3 replies max:"))
            // The quiet-window rule: well under mco's fixed 5 s.
            #expect(result.seconds < 4.0, "ping took \(result.seconds) s")
        }

        @Test("ping with a filter only hears matching nodes")
        func pingFiltered() async throws {
            let fleet = try await SharedFleet.shared.get()
            let result = try await fleet.chorus(["ping", "-F", "role=db"])
            #expect(result.status == 0)
            #expect(result.lines.filter { $0.contains("time=") }.map { String($0.prefix(5)) } == ["node2"])
            #expect(result.stdout.contains("1 replies max:"))
        }

        static let oracleFinds: [(arguments: [String], expected: Set<String>)] = [
            ([], ["node1", "node2", "node3"]),
            (["-F", "role=web"], ["node1", "node3"]),
            (["-W", "role=web web::apache"], ["node3"]),
            (["-A", "rpcutil"], ["node1", "node2", "node3"]),
            (["-C", "web::nginx"], ["node1"]),
            (["-C", "/^web/"], ["node1", "node3"]),
            (["-C", "/web/", "-C", "common"], ["node1", "node3"]),
            (["-S", "role=web and datacenter=ams"], ["node1"]),
            (["-S", "web::nginx or datacenter=fra"], ["node1", "node3"]),
            (["-S", "not role=web"], ["node2"]),
            (["-S", "(role=web or role=db) and datacenter=ams"], ["node1", "node2"]),
            (["-S", "cores>3 and !role=db"], ["node1"]),
            (["-S", "role=/^w/"], ["node1", "node3"]),
            (["-S", "fact('role').value=db"], ["node2"]),
            (["-F", "cores>3"], ["node1", "node2"]),
            (["-F", "cores=>4"], ["node1", "node2"]),
            (["-F", "osfamily!=Debian"], ["node2"]),
            (["-F", "role=/^w/"], ["node1", "node3"]),
            (["-I", "/node[12]/"], ["node1", "node2"]),
            (["-I", "node1", "-I", "/node/"], ["node2", "node3"]),
            (["-I", "/node[12]/", "-I", "/node[23]/"], ["node1", "node3"]),
            (["-S", "fstat('/etc/passwd').type=file and role=db"], ["node2"]),
            (["-S", "agent('rpcutil').version=/./ and datacenter=fra"], ["node3"]),
            (["-S", "collective('mcollective').member=true and role=db"], ["node2"]),
        ]

        @Test("find selects the same nodes real MCollective selects", arguments: oracleFinds)
        func find(arguments: [String], expected: Set<String>) async throws {
            let fleet = try await SharedFleet.shared.get()
            let result = try await fleet.chorus(["find"] + arguments)
            #expect(Set(result.lines) == expected, "chorus find \(arguments): \(result.stdout) \(result.stderr)")
            #expect(result.status == 0)
        }

        @Test("find with no match exits 1 and prints nothing")
        func findNothing() async throws {
            let fleet = try await SharedFleet.shared.get()
            let result = try await fleet.chorus(["find", "-F", "cores>10"])
            #expect(result.lines.isEmpty)
            #expect(result.status == 1)
        }

        @Test("a malformed compound filter is refused before anything is sent")
        func badCompound() async throws {
            let fleet = try await SharedFleet.shared.get()
            let result = try await fleet.chorus(["find", "-S", "role=web and (datacenter=ams"])
            #expect(result.status == 1)
            #expect(result.stderr.contains("invalid filter"))
        }

        @Test("flatfile and stdin discovery use the given node list")
        func nodeLists() async throws {
            let fleet = try await SharedFleet.shared.get()
            let file = fleet.directory.appendingPathComponent("nodes.txt")
            try "node1\n# comment\nnode3\n".write(to: file, atomically: true, encoding: .utf8)
            let flat = try await fleet.chorus(["rpc", "rpcutil", "ping", "--nodes", file.path, "--json"])
            #expect(flat.status == 0, "\(flat.stderr)")
            #expect(flat.stdout.contains("\"sender\":\"node1\"") && flat.stdout.contains("\"sender\":\"node3\""))
            #expect(!flat.stdout.contains("\"sender\":\"node2\""))
            let piped = try await fleet.chorus(["rpc", "rpcutil", "ping", "--dm", "stdin", "--json"], stdin: "node2\n")
            #expect(piped.status == 0, "\(piped.stderr)")
            #expect(piped.stdout.contains("\"sender\":\"node2\"") && !piped.stdout.contains("\"sender\":\"node1\""))
        }
    }
}
