import ChorusTestSupport
import Foundation
import Testing

extension EndToEnd {
    /// Fleets with their own configuration: sub-collectives and STOMP 1.1 heart-beats.
    @Suite("Collectives and connection options, end to end")
    struct ConnectionTests {
        @Test("-T addresses a sub-collective; nodes outside it never answer")
        func subCollective() async throws {
            let fleet = try Fleet(nodes: [])
            defer { fleet.shutdown() }
            try await fleet.startBroker()
            try fleet.writeClientConfig(identity: "client", psk: fleet.psk, path: fleet.clientConfig, extra: ["collectives = mcollective,eu"])
            try fleet.startServer(Fleet.oracleNodes[0])
            try fleet.startServer(Fleet.oracleNodes[1], extra: ["collectives = mcollective,eu"])
            try await fleet.waitForNodes(["node1", "node2"])

            let eu = try await fleet.chorus(["find", "-T", "eu"])
            #expect(eu.lines == ["node2"], "\(eu.stdout) \(eu.stderr)")
            let rpc = try await fleet.chorus(["rpc", "rpcutil", "collective_info", "-T", "eu", "--json"])
            #expect(rpc.status == 0)
            #expect(rpc.stdout.contains("\"collectives\":[\"mcollective\",\"eu\"]"))
            #expect(!rpc.stdout.contains("\"sender\":\"node1\""))
            let unknown = try await fleet.chorus(["find", "-T", "asia"])
            #expect(unknown.status == 1)
            #expect(unknown.stderr.contains("collective asia is not one of"))
        }

        @Test("heartbeat_interval speaks STOMP 1.1 with heart-beats, as MCollective does")
        func heartbeats() async throws {
            let fleet = try Fleet(nodes: [])
            defer { fleet.shutdown() }
            try await fleet.startBroker()
            try fleet.writeClientConfig(identity: "client", psk: fleet.psk, path: fleet.clientConfig, extra: ["plugin.activemq.heartbeat_interval = 30"])
            try fleet.startServer(Fleet.oracleNodes[2], extra: ["plugin.activemq.heartbeat_interval = 30"])
            try await fleet.waitForNodes(["node3"])
            let ping = try await fleet.chorus(["rpc", "rpcutil", "ping", "-I", "node3", "--json"])
            #expect(ping.status == 0)
            let log = try String(contentsOfFile: fleet.logFile("node3"), encoding: .utf8)
            #expect(log.contains("(STOMP 1.1)"), "\(log)")
        }
    }
}
