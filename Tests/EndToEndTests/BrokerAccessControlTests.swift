import ChorusTestSupport
import Foundation
import Logging
import NIOCore
import NIOPosix
import STOMP
import Testing

extension EndToEnd {
    /// `chorus broker` with the access control of examples/broker/broker.cfg (the file as
    /// shipped): real `chorus server` nodes and `chorus` clients, both connectors. Nodes serve,
    /// clients call; a node's login cannot send a request and a client's cannot read requests:
    /// each is refused with ERROR access_refused, logged and counted, and the fleet keeps working.
    @Suite("Broker access control, end to end")
    struct BrokerAccessControlTests {
        static let examplePolicy = URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("examples/broker/broker.cfg").path

        /// The pool login lines that override the fleet's default login.
        static func login(_ connector: String, _ user: String, _ password: String) -> [String] {
            ["plugin.\(connector).pool.1.user = \(user)", "plugin.\(connector).pool.1.password = \(password)"]
        }

        /// A raw STOMP connection with `user`'s login; returns it once connected.
        static func raw(port: Int, connector: String, user: String, password: String) async throws -> STOMPClient {
            let configuration = STOMPClientConfiguration(
                endpoints: [STOMPEndpoint(host: "127.0.0.1", port: port, login: user, passcode: password)],
                virtualHost: connector == "rabbitmq" ? "/mcollective" : "mcollective", reconnects: false)
            let client = STOMPClient(configuration: configuration, group: MultiThreadedEventLoopGroup.singleton, logger: Logger(label: "acl"))
            try await client.connect()
            return client
        }

        /// The first ERROR frame the broker sends `client` (10 s at most).
        static func error(from client: STOMPClient) async throws -> STOMPFrame {
            try await withThrowingTaskGroup(of: STOMPFrame?.self) { group in
                group.addTask {
                    for await frame in client.frames where frame.command == .error { return frame }
                    return nil
                }
                group.addTask {
                    try await Task.sleep(for: .seconds(10))
                    return nil
                }
                let first = try await group.next() ?? nil
                group.cancelAll()
                return try #require(first, "no ERROR frame from the broker")
            }
        }

        @Test("nodes serve and clients call under the example policy; a node cannot send requests, a client cannot read them", arguments: ["activemq", "rabbitmq"])
        func examplePolicyFleet(connector: String) async throws {
            let fleet = try Fleet(nodes: Array(Fleet.oracleNodes.prefix(2)), connector: connector)
            defer { fleet.shutdown() }
            try await fleet.startBroker(config: Self.examplePolicy)
            try fleet.writeClientConfig(identity: "mcoclient", path: fleet.clientConfig, extra: Self.login(connector, "alice", "change-me-alice"))
            for node in fleet.nodes { try fleet.startServer(node, extra: Self.login(connector, "mcollective", "change-me-nodes")) }
            try await fleet.waitForNodes(["node1", "node2"])

            // Clients call: broadcast and directed.
            let ping = try await fleet.chorus(["ping"])
            #expect(ping.status == 0, "\(ping.stderr)")
            #expect(ping.stdout.contains("node1") && ping.stdout.contains("node2"), "\(ping.stdout)")
            let directed = try await fleet.chorus(["rpc", "rpcutil", "get_fact", "fact=osfamily", "-I", "node2", "--json"])
            #expect(directed.status == 0, "\(directed.stderr)")
            #expect(directed.stdout.contains("\"sender\":\"node2\"") && directed.stdout.contains("\"value\":\"RedHat\""), "\(directed.stdout)")

            // A node's login cannot send a request.
            let request = connector == "rabbitmq" ? "/exchange/mcollective_broadcast/rpcutil" : "/topic/mcollective.rpcutil.agent"
            let node = try await Self.raw(port: fleet.port, connector: connector, user: "mcollective", password: "change-me-nodes")
            try await node.send(destination: request, headers: [("mc_sender", "node1")], body: ByteBuffer(string: "forged"))
            let refusedSend = try await Self.error(from: node)
            #expect(refusedSend.headers["message"] == "access_refused")
            #expect(String(buffer: refusedSend.body).contains("User 'mcollective' is not authorized to write to \(request)."))
            await node.close()

            // A client's login cannot read the nodes' requests.
            let client = try await Self.raw(port: fleet.port, connector: connector, user: "deploy", password: "change-me-deploy")
            try await client.subscribe(destination: request, id: "snoop")
            let refusedRead = try await Self.error(from: client)
            #expect(refusedRead.headers["message"] == "access_refused")
            #expect(String(buffer: refusedRead.body).contains("User 'deploy' is not authorized to read from \(request)."))
            await client.close()

            // A client configured with a node's login fails, and says why.
            let nodeAsClient = fleet.directory.appendingPathComponent("node-as-client.cfg").path
            try fleet.writeClientConfig(
                identity: "impostor", path: nodeAsClient, extra: Self.login(connector, "mcollective", "change-me-nodes"))
            let impostor = try await fleet.chorus(["ping", "--dt", "1"], config: nodeAsClient)
            #expect(!impostor.stdout.contains("node1"), "\(impostor.stdout)")
            #expect(impostor.stderr.contains("access_refused"), "\(impostor.stderr)")
            #expect(impostor.stderr.contains("User 'mcollective' is not authorized to"), "\(impostor.stderr)")

            // The nodes were not disturbed.
            let after = try await fleet.chorus(["rpc", "rpcutil", "ping", "--json"])
            #expect(after.status == 0, "\(after.stderr)")
            #expect(after.stdout.contains("\"sender\":\"node1\"") && after.stdout.contains("\"sender\":\"node2\""), "\(after.stdout)")

            // Logged with user, address, operation, destination and rule; counted in the exit summary.
            fleet.stopBroker()
            let log = (try? String(contentsOf: fleet.brokerLog, encoding: .utf8)) ?? ""
            let rule = connector == "rabbitmq" ? "acl./exchange/mcollective_broadcast/>" : "acl./topic/mcollective.*.agent"
            #expect(log.contains("access denied: user 'mcollective' from 127.0.0.1:"), "\(log)")
            #expect(log.contains("may not write to \(request); rule \(rule) (line "), "\(log)")
            #expect(log.contains("access denied: user 'deploy' from 127.0.0.1:"), "\(log)")
            #expect(log.contains("may not read from \(request); rule \(rule) (line "), "\(log)")
            #expect(log.contains("3 access denials"), "\(log)")
        }
    }
}
