import NIOCore
import STOMP
import Testing

@testable import ChorusBroker

/// Access control over real loopback TCP: `acl.` rules enforced on SEND, SUBSCRIBE and
/// temp-queue creation, ERROR `access_refused`, the connection closed, the denial counted, and
/// everyone else served on.
@Suite("Broker access control over TCP")
struct BrokerAccessControlTests {
    static let policy = """
        user.node = n0de
        user.client = c1ient
        user.batch = b4tch
        user.monitor = m0nitor
        group.nodes = node
        group.clients = client, batch
        acl./topic/mcollective.*.agent = read, create: nodes; read: monitor; write: clients
        acl./queue/mcollective.nodes = read: nodes; write: clients; create: nodes, client
        acl./queue/mcollective.reply.> = read: clients; write: nodes; create: nodes, clients
        acl./exchange/mcollective_broadcast/> = read: nodes; write: clients
        acl./temp-queue/> = create: client
        acl./reply-queue/> = write: nodes
        """

    static func withPolicyBroker(_ body: (BrokerServer, SocketAddress) async throws -> Void) async throws {
        let parsed = try BrokerConfiguration(parsing: policy)
        try await withBroker({
            $0.users = parsed.users
            $0.accessControl = parsed.accessControl
        }, body)
    }

    static func login(_ address: SocketAddress, _ user: String, _ passcode: String) async throws -> TestClient {
        let (client, reply) = try await TestClient.connected(
            to: address, headers: [("accept-version", "1.2"), ("host", "/mcollective"), ("login", user), ("passcode", passcode)])
        #expect(reply.command == .connected, "\(user): \(reply.headers["message"] ?? "")")
        return client
    }

    /// Expects ERROR access_refused with `body`, then the close.
    static func expectRefused(_ client: TestClient, _ body: String, receipt: String? = nil) async throws {
        let error = try await client.nextFrame()
        #expect(error.command == .error)
        #expect(error.headers["message"] == "access_refused")
        #expect(String(buffer: error.body) == body + "\n")
        if let receipt { #expect(error.headers["receipt-id"] == receipt) }
        try await client.waitUntilClosed()
    }

    @Test("nodes read requests and write replies; a node's SEND of a request is refused, counted, and the rest keep working")
    func nodeCannotSendRequests() async throws {
        try await Self.withPolicyBroker { broker, address in
            let node = try await Self.login(address, "node", "n0de")
            try await node.subscribe("/topic/mcollective.rpcutil.agent")
            let client = try await Self.login(address, "client", "c1ient")
            try await client.subscribe("/queue/mcollective.reply.client_1.1")
            try await client.send(
                "/topic/mcollective.rpcutil.agent", body: "request", headers: [("reply-to", "/queue/mcollective.reply.client_1.1")])
            let request = try await node.nextFrame()
            #expect(String(buffer: request.body) == "request")
            try await node.send("/queue/mcollective.reply.client_1.1", body: "reply")
            #expect(String(buffer: try await client.nextFrame().body) == "reply")

            let rogue = try await Self.login(address, "node", "n0de")
            try await rogue.write(STOMPFrame(
                command: .send, headers: [("destination", "/topic/mcollective.rpcutil.agent"), ("receipt", "r1")], body: Array("forged".utf8)))
            try await Self.expectRefused(
                rogue, "User 'node' is not authorized to write to /topic/mcollective.rpcutil.agent.", receipt: "r1")
            #expect(try await node.framesArriving(within: .milliseconds(100)).isEmpty)
            let stats = broker.stats
            #expect(stats.authorizationDenials == 1)
            #expect(stats.authorizationWriteDenials == 1)
            #expect(stats.authorizationReadDenials == 0 && stats.authorizationCreateDenials == 0)
            #expect(stats.protocolErrors == 0)

            // The node and the client are still served.
            try await client.send("/topic/mcollective.rpcutil.agent", body: "again")
            #expect(String(buffer: try await node.nextFrame().body) == "again")
            await node.close()
            await client.close()
        }
    }

    @Test("a client may not SUBSCRIBE to the nodes' request topic or queue")
    func clientCannotReadRequests() async throws {
        try await Self.withPolicyBroker { broker, address in
            let node = try await Self.login(address, "node", "n0de")
            try await node.subscribe("/topic/mcollective.rpcutil.agent")
            let client = try await Self.login(address, "client", "c1ient")
            try await client.write(STOMPFrame(command: .subscribe, headers: [("destination", "/topic/mcollective.rpcutil.agent"), ("id", "1")]))
            try await Self.expectRefused(client, "User 'client' is not authorized to read from /topic/mcollective.rpcutil.agent.")
            let other = try await Self.login(address, "client", "c1ient")
            try await other.write(STOMPFrame(command: .subscribe, headers: [("destination", "/amq/queue/mcollective.nodes"), ("id", "1")]))
            try await Self.expectRefused(other, "User 'client' is not authorized to read from /amq/queue/mcollective.nodes.")
            // A destination no rule names is denied to everyone.
            let stray = try await Self.login(address, "node", "n0de")
            try await stray.write(STOMPFrame(command: .subscribe, headers: [("destination", "/topic/elsewhere"), ("id", "1")]))
            try await Self.expectRefused(stray, "User 'node' is not authorized to read from /topic/elsewhere.")
            #expect(broker.stats.authorizationReadDenials == 3)
            #expect(broker.stats.authorizationDenials == 3)
            await node.close()
        }
    }

    @Test("create: read without create works only on a topic someone already subscribes to; a queue SEND that would create it needs create")
    func creation() async throws {
        try await Self.withPolicyBroker { broker, address in
            let early = try await Self.login(address, "monitor", "m0nitor")
            try await early.write(STOMPFrame(command: .subscribe, headers: [("destination", "/topic/mcollective.puppet.agent"), ("id", "1")]))
            try await Self.expectRefused(early, "User 'monitor' is not authorized to create /topic/mcollective.puppet.agent.")
            #expect(broker.stats.authorizationCreateDenials == 1)
            let node = try await Self.login(address, "node", "n0de")
            try await node.subscribe("/topic/mcollective.puppet.agent")
            let monitor = try await Self.login(address, "monitor", "m0nitor")
            try await monitor.subscribe("/topic/mcollective.puppet.agent")

            // batch may write to the nodes queue but not create it: fine while a node consumes it.
            let batch = try await Self.login(address, "batch", "b4tch")
            try await batch.write(STOMPFrame(command: .send, headers: [("destination", "/queue/mcollective.nodes")], body: Array("x".utf8)))
            try await Self.expectRefused(batch, "User 'batch' is not authorized to create /queue/mcollective.nodes.")
            try await node.subscribe("/queue/mcollective.nodes", selector: "mc_identity = 'node'")
            let batch2 = try await Self.login(address, "batch", "b4tch")
            try await batch2.send("/queue/mcollective.nodes", body: "directed", headers: [("mc_identity", "node")])
            #expect(String(buffer: try await node.nextFrame().body) == "directed")
            #expect(broker.stats.authorizationCreateDenials == 2)
            for client in [node, monitor, batch2] { await client.close() }
        }
    }

    @Test("RabbitMQ temp queues: reply-to:/temp-queue/ needs create; replies to /reply-queue/ need write")
    func temporaryQueues() async throws {
        try await Self.withPolicyBroker { broker, address in
            let node = try await Self.login(address, "node", "n0de")
            try await node.subscribe("/exchange/mcollective_broadcast/rpcutil", id: "b")
            let client = try await Self.login(address, "client", "c1ient")
            try await client.send(
                "/exchange/mcollective_broadcast/rpcutil", body: "request", headers: [("reply-to", "/temp-queue/mcollective_reply_rpcutil")])
            let request = try await node.nextFrame()
            let replyTo = try #require(request.headers["reply-to"])
            #expect(replyTo.hasPrefix("/reply-queue/amq.gen-"))
            try await node.send(replyTo, body: "reply")
            let reply = try await client.nextFrame()
            #expect(reply.headers["subscription"] == "/temp-queue/mcollective_reply_rpcutil")
            #expect(String(buffer: reply.body) == "reply")

            // batch may send requests but not have the broker make it a reply queue.
            let batch = try await Self.login(address, "batch", "b4tch")
            try await batch.send(
                "/exchange/mcollective_broadcast/rpcutil", body: "request", headers: [("reply-to", "/temp-queue/mcollective_reply_rpcutil")])
            try await Self.expectRefused(batch, "User 'batch' is not authorized to create /temp-queue/mcollective_reply_rpcutil.")
            #expect(try await node.framesArriving(within: .milliseconds(100)).isEmpty)
            // Nor may a client write into a reply queue, or a node send a request.
            let snoop = try await Self.login(address, "client", "c1ient")
            try await snoop.send(replyTo, body: "fake reply")
            try await Self.expectRefused(snoop, "User 'client' is not authorized to write to \(replyTo).")
            let rogue = try await Self.login(address, "node", "n0de")
            try await rogue.send("/exchange/mcollective_broadcast/rpcutil", body: "forged")
            try await Self.expectRefused(rogue, "User 'node' is not authorized to write to /exchange/mcollective_broadcast/rpcutil.")
            #expect(try await client.framesArriving(within: .milliseconds(100)).isEmpty)
            let stats = broker.stats
            #expect(stats.authorizationCreateDenials == 1 && stats.authorizationWriteDenials == 2)
            #expect(stats.authorizationDenials == 3)
            await node.close()
            await client.close()
        }
    }

    @Test("without acl lines any login may do anything, as before")
    func noPolicy() async throws {
        try await withBroker({ $0.users = ["node": "n0de"] }) { broker, address in
            let node = try await Self.login(address, "node", "n0de")
            try await node.subscribe("/topic/mcollective.rpcutil.agent")
            let other = try await Self.login(address, "node", "n0de")
            try await other.send("/topic/mcollective.rpcutil.agent", body: "anything")
            #expect(String(buffer: try await node.nextFrame().body) == "anything")
            #expect(broker.stats.authorizationDenials == 0)
            await node.close()
            await other.close()
        }
    }
}
