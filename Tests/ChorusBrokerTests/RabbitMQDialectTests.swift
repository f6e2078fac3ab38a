import Foundation
import NIOCore
import STOMP
import Testing

@testable import ChorusBroker

/// MCollective's rabbitmq connector against `chorus broker`, over real loopback TCP, using the
/// frames captured between MCollective 2.12 and RabbitMQ 3.10.
@Suite("RabbitMQ dialect over loopback TCP")
struct RabbitMQDialectTests {
    private static let rabbit = "rabbitmq_psk"
    private static let rabbit11 = "rabbitmq_psk_stomp11_heartbeat"

    private func fixture(_ prefix: String, in directory: String = rabbit) throws -> [UInt8] {
        try Fixtures.frame(in: directory, prefix: prefix)
    }

    private func decoded(_ bytes: [UInt8]) throws -> STOMPFrame {
        var decoder = STOMPFrameDecoder()
        var buffer = ByteBuffer(bytes: bytes)
        guard case .frame(let frame) = try decoder.next(&buffer) else { throw TestTimeout(what: "a fixture frame") }
        return frame
    }

    /// Connects with a captured CONNECT frame and returns the client once CONNECTED arrived.
    private func connect(_ address: SocketAddress, with connectFrame: [UInt8]) async throws -> (TestClient, STOMPFrame) {
        let client = try await TestClient.connect(to: address)
        try await client.write(connectFrame)
        return (client, try await client.nextFrame())
    }

    @Test("captured node and client frames: broadcast request, reply-to rewritten, reply back on the temp queue")
    func replayDiscovery() async throws {
        try await withBroker({ $0.users = ["mcollective": "marionette"] }) { broker, address in
            let (node, connected) = try await connect(address, with: try fixture("01_"))
            #expect(connected.command == .connected)
            #expect(connected.headers["version"] == "1.0")
            #expect(connected.headers["heart-beat"] == "0,0")
            // Directed (node2), broadcast discovery and broadcast rpcutil, no ids, no receipts.
            for prefix in ["03_", "04_", "05_"] { try await node.write(try fixture(prefix)) }
            #expect(try await eventually { broker.stats.subscriptions == 3 })

            let (client, _) = try await connect(address, with: try fixture("01_"))
            let request = try fixture("10_")
            try await client.write(request)

            // As the node sees it (captured: 11_ping_discovery_request_MESSAGE_at_node).
            let message = try await node.nextFrame()
            let captured = try decoded(try fixture("11_"))
            #expect(message.command == .message)
            #expect(Set(message.headers.map(\.name)) == Set(captured.headers.map(\.name)))
            #expect(Array(message.headers.map(\.name).prefix(3)) == ["destination", "message-id", "redelivered"])
            #expect(message.headers["subscription"] == nil)
            #expect(message.headers["destination"] == "/exchange/mcollective_broadcast/discovery")
            #expect(message.headers["redelivered"] == "false")
            #expect(message.headers["expiration"] == "70000")
            #expect(message.headers["mc_sender"] == "mcoclient")
            #expect(message.headers["content-length"] == "334")
            #expect(message.body == (try decoded(request)).body)
            let replyTo = try #require(message.headers["reply-to"])
            #expect(replyTo.hasPrefix("/reply-queue/amq.gen-"))
            #expect(replyTo.utf8.count == "/reply-queue/amq.gen-".utf8.count + 22)
            #expect(try await eventually { broker.stats.subscriptions == 4 })  // plus the client's private reply subscription

            // The node answers on the rewritten reply-to (captured 12_, its amq.gen name swapped).
            let reply = Fixtures.replacing(
                "destination:/reply-queue/amq.gen-CJ_YdJ1eABtsOYm5_yXFfQ", with: "destination:\(replyTo)",
                in: try fixture("12_"))
            try await node.write(reply)
            let answer = try await client.nextFrame()
            let capturedAnswer = try decoded(try fixture("13_"))
            #expect(answer.command == .message)
            #expect(answer.headers.map(\.name).first == "subscription")
            #expect(Set(answer.headers.map(\.name)) == Set(capturedAnswer.headers.map(\.name)))
            #expect(answer.headers["subscription"] == "/temp-queue/mcollective_reply_discovery")
            #expect(answer.headers["destination"] == "/queue/" + replyTo.dropFirst("/reply-queue/".count))
            #expect(answer.headers["redelivered"] == "false")
            #expect(answer.headers["mc_sender"] == "node1")
            #expect(answer.body == (try decoded(reply)).body)

            // Same temp-queue name again: same reply queue; another name: another queue.
            try await client.write(request)
            #expect(try await node.nextFrame().headers["reply-to"] == replyTo)
            try await client.write(try fixture("50_"))
            let rpcutil = try await node.nextFrame()
            #expect(rpcutil.headers["destination"] == "/exchange/mcollective_broadcast/rpcutil")
            let otherReplyTo = try #require(rpcutil.headers["reply-to"])
            #expect(otherReplyTo.hasPrefix("/reply-queue/amq.gen-") && otherReplyTo != replyTo)
            #expect(try await eventually { broker.stats.subscriptions == 5 })
            #expect(try await node.framesArriving(within: .milliseconds(100)).isEmpty)
            #expect(client.received.pendingFrames == 0)
            #expect(broker.stats.exchangeMessagesIn == 3 && broker.stats.exchangeMessagesOut == 3)
            #expect(broker.stats.queueMessagesOut == 1)

            // The private queues go with the connection; a late reply is dropped as unrouted.
            await client.close()
            #expect(try await eventually { broker.stats.subscriptions == 3 })
            let unroutedBefore = broker.stats.unrouted
            try await node.write(reply)
            #expect(try await eventually { broker.stats.unrouted == unroutedBefore + 1 })
            #expect(broker.stats.bufferedMessages == 0)
            await node.close()
        }
    }

    @Test("a directed request reaches exactly one node among three")
    func directedToOneNode() async throws {
        try await withBroker { broker, address in
            var nodes: [TestClient] = []
            for number in 1...3 {
                let (node, _) = try await connect(address, with: try fixture("01_"))
                let subscribe = Fixtures.replacing(
                    "/exchange/mcollective_directed/node2", with: "/exchange/mcollective_directed/node\(number)",
                    in: try fixture("03_"))
                try await node.write(subscribe)
                nodes.append(node)
            }
            #expect(try await eventually { broker.stats.subscriptions == 3 })
            let (client, _) = try await connect(address, with: try fixture("01_"))
            try await client.write(try fixture("21_"))  // captured: directed rpcutil ping to node3
            let message = try await nodes[2].nextFrame()
            #expect(message.headers["destination"] == "/exchange/mcollective_directed/node3")
            #expect(message.headers["reply-to"]?.hasPrefix("/reply-queue/amq.gen-") == true)
            #expect(message.headers["content-length"] == "411")
            try await client.send("/exchange/mcollective_directed/node1", body: "to node1")
            #expect(String(buffer: try await nodes[0].nextFrame().body) == "to node1")
            try await client.send("/exchange/mcollective_directed/node", body: "to nobody")
            #expect(try await nodes[1].framesArriving(within: .milliseconds(150)).isEmpty)
            #expect(nodes[0].received.pendingFrames == 0 && nodes[2].received.pendingFrames == 0)
            #expect(broker.stats.exchangeMessagesOut == 2)
            #expect(broker.stats.unrouted == 1)
            for peer in nodes + [client] { await peer.close() }
        }
    }

    @Test("a key-less subscription to a topic exchange sees every agent (agents_multiplex)")
    func multiplexedSubscription() async throws {
        try await withBroker { _, address in
            let (node, _) = try await TestClient.connected(to: address)
            try await node.subscribe("/exchange/mcollective_broadcast")
            let (client, _) = try await TestClient.connected(to: address)
            try await client.write(try fixture("10_"))
            try await client.write(try fixture("50_"))
            let destinations = [try await node.nextFrame(), try await node.nextFrame()].map { $0.headers["destination"] }
            #expect(destinations == ["/exchange/mcollective_broadcast/discovery", "/exchange/mcollective_broadcast/rpcutil"])
            for peer in [node, client] { await peer.close() }
        }
    }

    @Test("expiration: relative ms; dropped when not delivered in time; malformed values refused")
    func expiration() async throws {
        try await withBroker { broker, address in
            let (sender, _) = try await TestClient.connected(to: address)
            try await sender.send("/queue/replies", body: "short", headers: [("expiration", "100")])
            try await sender.send("/amq/queue/replies", body: "long", headers: [("expiration", "60000")])
            #expect(try await eventually { broker.stats.bufferedMessages == 2 })
            try await Task.sleep(for: .milliseconds(300))
            let (consumer, _) = try await TestClient.connected(to: address)
            try await consumer.write(STOMPFrame(command: .subscribe, headers: [("destination", "/queue/replies")]))
            let frame = try await consumer.nextFrame()
            #expect(String(buffer: frame.body) == "long")
            #expect(frame.headers["expiration"] == "60000")
            #expect(frame.headers["destination"] == "/queue/replies")
            #expect(try await consumer.framesArriving(within: .milliseconds(100)).isEmpty)
            #expect(broker.stats.expired == 1)

            try await sender.send("/queue/replies", body: "bad", headers: [("expiration", "soon")])
            let error = try await sender.nextFrame()
            #expect(error.command == .error)
            #expect(error.headers["message"] == "precondition_failed")
            #expect(String(buffer: error.body).hasPrefix("PRECONDITION_FAILED - invalid expiration 'soon'"))
            try await sender.waitUntilClosed()
            await consumer.close()
        }
    }

    @Test("undeclared exchanges get RabbitMQ's not_found ERROR and the connection closes")
    func undeclaredExchange() async throws {
        try await withBroker({ $0.exchanges = ["dev_broadcast": .topic] }) { broker, address in
            let (sender, _) = try await connect(address, with: try fixture("01_"))  // host:/mcollective
            try await sender.write(try fixture("10_"))  // to mcollective_broadcast, not declared here
            let error = try await sender.nextFrame()
            #expect(error.command == .error)
            #expect(error.headers["message"] == "not_found")
            #expect(String(buffer: error.body) == "NOT_FOUND - no exchange 'mcollective_broadcast' in vhost '/mcollective'\n")
            try await sender.waitUntilClosed()

            let (subscriber, _) = try await TestClient.connected(to: address)
            try await subscriber.write(
                STOMPFrame(command: .subscribe, headers: [("destination", "/exchange/nope/x"), ("receipt", "r")]))
            let refused = try await subscriber.nextFrame()
            #expect(refused.headers["message"] == "not_found")
            #expect(refused.headers["receipt-id"] == "r")
            #expect(String(buffer: refused.body) == "NOT_FOUND - no exchange 'nope' in vhost '/'\n")
            try await subscriber.waitUntilClosed()
            #expect(broker.stats.exchangeMessagesIn == 0)

            let (declared, _) = try await TestClient.connected(to: address)
            try await declared.subscribe("/exchange/dev_broadcast/rpcutil")
            await declared.close()
        }
    }

    @Test("temp and reply queues are private: no SEND to /temp-queue/, no foreign SUBSCRIBE, no /temp-queue/ ids")
    func privacy() async throws {
        try await withBroker { _, address in
            let (client, _) = try await TestClient.connected(to: address)
            try await client.send(
                "/exchange/mcollective_directed/node1", body: "x", headers: [("reply-to", "/temp-queue/mine"), ("receipt", "s")])
            #expect(try await client.nextFrame().headers["receipt-id"] == "s")
            let (node, _) = try await TestClient.connected(to: address)
            try await node.subscribe("/exchange/mcollective_directed/node1")
            try await client.send("/exchange/mcollective_directed/node1", body: "y", headers: [("reply-to", "/temp-queue/mine")])
            let replyTo = try #require(try await node.nextFrame().headers["reply-to"])
            let queue = "/queue/" + replyTo.dropFirst("/reply-queue/".count)

            let (thief, _) = try await TestClient.connected(to: address)
            try await thief.write(STOMPFrame(command: .subscribe, headers: [("destination", queue)]))
            let locked = try await thief.nextFrame()
            #expect(locked.headers["message"] == "resource_locked")
            #expect(String(buffer: locked.body).contains("amq.gen-"))
            try await thief.waitUntilClosed()

            let (confused, _) = try await TestClient.connected(to: address)
            try await confused.send("/temp-queue/mine", body: "z")
            let invalid = try await confused.nextFrame()
            #expect(invalid.headers["message"] == "Invalid destination")
            #expect(String(buffer: invalid.body) == "'/temp-queue/mine' is not a valid destination for 'SEND'\n")
            try await confused.waitUntilClosed()

            let (sneaky, _) = try await TestClient.connected(to: address)
            try await sneaky.write(STOMPFrame(command: .subscribe, headers: [("destination", "/queue/q"), ("id", "/temp-queue/q")]))
            #expect(try await sneaky.nextFrame().headers["message"] == "Invalid id")
            try await sneaky.waitUntilClosed()

            // The owner still gets replies after all that.
            try await node.send(replyTo, body: "reply")
            let reply = try await client.nextFrame()
            #expect(reply.headers["subscription"] == "/temp-queue/mine")
            #expect(String(buffer: reply.body) == "reply")
            for peer in [client, node] { await peer.close() }
        }
    }

    @Test("STOMP 1.1 with MCollective's heart-beat offer: ids on MESSAGE, 1.1 shapes, beats when asked")
    func stomp11() async throws {
        try await withBroker({ $0.heartbeatSendMilliseconds = 100 }) { broker, address in
            let (node, connected) = try await connect(address, with: try fixture("01_", in: Self.rabbit11))
            #expect(connected.headers["version"] == "1.1")
            #expect(connected.headers["heart-beat"] == "29500,30500")
            try await node.write(try fixture("03_", in: Self.rabbit11))  // directed node1, id mcollective_node1_directed_to_identity
            try await node.write(try fixture("04_", in: Self.rabbit11))  // broadcast discovery, id mcollective_broadcast_discovery
            #expect(try await eventually { broker.stats.subscriptions == 2 })

            let (client, _) = try await connect(address, with: try fixture("01_", in: Self.rabbit11))
            let request = Fixtures.replacing(
                "/exchange/mcollective_directed/node3", with: "/exchange/mcollective_directed/node1", in: try fixture("21_"))
            try await client.write(request)
            let message = try await node.nextFrame()
            let captured = try decoded(try fixture("05_", in: Self.rabbit11))
            #expect(message.headers["subscription"] == "mcollective_node1_directed_to_identity")
            #expect(message.headers.map(\.name).first == "subscription")
            #expect(Set(message.headers.map(\.name)) == Set(captured.headers.map(\.name)))
            #expect(message.headers["message-id"]?.contains(":") == true)  // escaped on the wire, decoded here
            #expect(message.body == (try decoded(request)).body)
            let replyTo = try #require(message.headers["reply-to"])

            try await node.write(
                Fixtures.replacing(
                    "destination:/reply-queue/amq.gen-DjTLR27a4E3QCNWqNTG18A", with: "destination:\(replyTo)",
                    in: try fixture("22_")))
            let answer = try await client.nextFrame()
            let capturedAnswer = try decoded(try fixture("06_", in: Self.rabbit11))
            #expect(answer.headers["subscription"] == "/temp-queue/mcollective_reply_rpcutil")
            #expect(Set(answer.headers.map(\.name)) == Set(capturedAnswer.headers.map(\.name)))
            #expect(answer.headers["destination"]?.hasPrefix("/queue/amq.gen-") == true)

            // The same CONNECT asking for beats every 100 ms gets them.
            let eager = Fixtures.replacing(
                "heart-beat:30500,29500", with: "heart-beat:0,100", in: try fixture("01_", in: Self.rabbit11))
            let (listener, eagerConnected) = try await connect(address, with: eager)
            #expect(eagerConnected.headers["heart-beat"] == "100,0")
            // The "\n" after CONNECTED, then beats every 100 ms: more keep coming (counted from
            // whatever had arrived by now, so a slow machine cannot make this pass early or fail).
            let seen = listener.received.heartbeats
            #expect(try await eventually(timeout: .seconds(5)) { listener.received.heartbeats >= max(seen, 1) + 3 })
            #expect(listener.received.pendingFrames == 0 && !listener.received.closed)
            for peer in [node, client, listener] { await peer.close() }
        }
    }
}
