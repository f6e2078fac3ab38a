import Foundation
import NIOCore
import STOMP
import Testing

@testable import ChorusBroker

@Suite("Broker STOMP protocol over loopback TCP")
struct BrokerProtocolTests {
    @Test("MCollective 1.0 node and client frames, replayed byte for byte")
    func mcollectiveReplay() async throws {
        try await withBroker({ $0.users = ["mcollective": "marionette"] }) { broker, address in
            let node = try await TestClient.connect(to: address)
            try await node.write(try Fixtures.frame(in: "activemq_psk", prefix: "01_"))
            let connected = try await node.nextFrame()
            #expect(connected.command == .connected)
            #expect(connected.headers.map(\.name) == ["server", "heart-beat", "session", "version"])
            #expect(connected.headers["server"] == "Chorus/\(BrokerServer.version)")
            #expect(connected.headers["heart-beat"] == "0,0")
            #expect(connected.headers["version"] == "1.0")
            // Selector SUBSCRIBE to the nodes queue (node3) and the discovery topic, no ids, no receipts.
            try await node.write(try Fixtures.frame(in: "activemq_psk", prefix: "03_"))
            try await node.write(try Fixtures.frame(in: "activemq_psk", prefix: "04_"))
            #expect(try await eventually { broker.stats.subscriptions == 2 })

            let client = try await TestClient.connect(to: address)
            try await client.write(try Fixtures.frame(in: "activemq_psk", prefix: "01_"))
            #expect(try await client.nextFrame().command == .connected)
            try await client.write(try Fixtures.frame(in: "activemq_psk", prefix: "10_"))
            #expect(try await eventually { broker.stats.subscriptions == 3 })
            // The captured directed request (to node3); its expiry moved into the future.
            let future = Int64(Date().timeIntervalSince1970 * 1000) + 70_000
            let send = Fixtures.replacing(
                "expires:1795542908000", with: "expires:\(future)", in: try Fixtures.frame(in: "activemq_psk", prefix: "20_"))
            try await client.write(send)
            let message = try await node.nextFrame()
            #expect(message.command == .message)
            #expect(message.headers["destination"] == "/queue/mcollective.nodes")
            #expect(message.headers["mc_identity"] == "node3")
            #expect(message.headers["reply-to"] == "/queue/mcollective.reply.mcoclient_25197.2")
            #expect(message.headers["subscription"] == nil)
            #expect(message.headers["message-id"]?.hasPrefix("ID:") == true)
            #expect(message.headers["content-length"] == "411")
            let sendFrame = try #require(try decode(send))
            #expect(message.body == sendFrame.body)
            // The node answers on the reply queue the client subscribed to.
            try await node.send(
                "/queue/mcollective.reply.mcoclient_25149.1", body: "pong", headers: [("expires", "\(future)")])
            #expect(String(buffer: try await client.nextFrame().body) == "pong")
            // 1.0 brokers write "\n" after every frame; the test clients saw them as heart-beats.
            #expect(node.received.heartbeats >= 2)
            for peer in [node, client] { await peer.close() }
        }
    }

    @Test("STOMP 1.1 heart-beats: MCollective's offer, broker beats, and a silent client is disconnected")
    func heartbeats() async throws {
        let mco = try Fixtures.frame(in: "activemq_psk", prefix: "40_")
        try await withBroker { _, address in
            let client = try await TestClient.connect(to: address)
            try await client.write(mco)
            let connected = try await client.nextFrame()
            #expect(connected.headers["version"] == "1.1")
            #expect(connected.headers["heart-beat"] == "29500,30500")
            await client.close()
        }
        try await withBroker({ $0.heartbeatSendMilliseconds = 100; $0.heartbeatReceiveMilliseconds = 50 }) { broker, address in
            let start = ContinuousClock.now
            let (silent, connected) = try await TestClient.connected(
                to: address, headers: [("accept-version", "1.1"), ("heart-beat", "500,60")])
            #expect(connected.headers["heart-beat"] == "100,500")
            let (talker, _) = try await TestClient.connected(
                to: address, headers: [("accept-version", "1.1"), ("heart-beat", "1000,0")])
            while !silent.received.closed, ContinuousClock.now - start < .seconds(4) {
                try await talker.write(Array("\n".utf8))
                try await Task.sleep(for: .milliseconds(50))
            }
            try await silent.waitUntilClosed(timeout: .seconds(1))
            #expect(ContinuousClock.now - start >= .milliseconds(950))
            // One "\n" follows CONNECTED; the rest are beats every 100 ms (about 9; the loop may be busy).
            #expect(silent.received.heartbeats >= 3)
            #expect(!talker.received.closed)
            #expect(talker.received.heartbeats == 1)  // only the "\n" after CONNECTED: it asked for no beats
            #expect(broker.stats.heartbeatTimeouts == 1)
            await talker.close()
        }
    }

    @Test("a bad login is refused with ERROR when users are configured")
    func authentication() async throws {
        try await withBroker({ $0.users = ["mcollective": "marionette"] }) { broker, address in
            let (bad, refused) = try await TestClient.connected(
                to: address, headers: [("accept-version", "1.0"), ("login", "mcollective"), ("passcode", "nope")])
            #expect(refused.command == .error)
            #expect(refused.headers["message"] == "Authentication failed")
            #expect(String(buffer: refused.body).contains("mcollective"))
            try await bad.waitUntilClosed()
            let (good, accepted) = try await TestClient.connected(
                to: address, headers: [("login", "mcollective"), ("passcode", "marionette")])
            #expect(accepted.command == .connected)
            #expect(broker.stats.authFailures == 1)
            await good.close()
        }
    }

    @Test("garbage bytes get an ERROR and a close while other connections keep working")
    func garbage() async throws {
        try await withBroker { broker, address in
            let (listener, _) = try await TestClient.connected(to: address)
            try await listener.subscribe("/topic/t")
            let vandal = try await TestClient.connect(to: address)
            try await vandal.write(Array("GET / HTTP/1.1\r\nHost: x\r\n\r\n".utf8))
            let error = try await vandal.nextFrame()
            #expect(error.command == .error)
            #expect(error.headers["message"]?.isEmpty == false)
            try await vandal.waitUntilClosed()
            let (sender, _) = try await TestClient.connected(to: address)
            try await sender.send("/topic/t", body: "still here")
            #expect(String(buffer: try await listener.nextFrame().body) == "still here")
            #expect(broker.stats.protocolErrors == 1)
            // A connected client sending garbage is also cut off.
            try await sender.write([0xFF, 0x00, 0x01])
            #expect(try await sender.nextFrame().command == .error)
            try await sender.waitUntilClosed()
            for client in [listener] { await client.close() }
        }
    }

    @Test("an oversized frame gets an ERROR before its body is sent")
    func oversizedFrame() async throws {
        try await withBroker({ $0.limits.maxFrameBytes = 1024 }) { _, address in
            let (client, _) = try await TestClient.connected(to: address)
            try await client.write(Array("SEND\ndestination:/queue/a\ncontent-length:5000\n\n".utf8))
            let error = try await client.nextFrame()
            #expect(error.command == .error)
            #expect(String(buffer: error.body).contains("1024"))
            try await client.waitUntilClosed()
        }
    }

    @Test("frames before CONNECT, bad destinations and selectors are protocol errors")
    func protocolErrors() async throws {
        try await withBroker { broker, address in
            let early = try await TestClient.connect(to: address)
            try await early.write(STOMPFrame(command: .send, headers: [("destination", "/queue/a")]))
            #expect(try await early.nextFrame().headers["message"] == "Expected CONNECT")
            try await early.waitUntilClosed()

            let (badDestination, _) = try await TestClient.connected(to: address)
            try await badDestination.write(STOMPFrame(command: .subscribe, headers: [("destination", "/elsewhere/x"), ("receipt", "r1")]))
            let error = try await badDestination.nextFrame()
            #expect(error.headers["message"] == "Unknown destination")
            #expect(error.headers["receipt-id"] == "r1")
            try await badDestination.waitUntilClosed()

            let (badSelector, _) = try await TestClient.connected(to: address)
            try await badSelector.write(STOMPFrame(command: .subscribe, headers: [("destination", "/queue/a"), ("selector", "a = ")]))
            #expect(try await badSelector.nextFrame().headers["message"] == "Invalid selector")
            try await badSelector.waitUntilClosed()

            let (version, refusal) = try await TestClient.connected(to: address, headers: [("accept-version", "9.9")])
            #expect(refusal.headers["message"] == "Supported protocol versions are 1.0,1.1,1.2")
            try await version.waitUntilClosed()
            #expect(try await eventually { broker.stats.protocolErrors == 4 && broker.stats.connectionsCurrent == 0 })
        }
    }

    @Test("RECEIPT for any frame with a receipt header; DISCONNECT closes after it")
    func receiptsAndDisconnect() async throws {
        try await withBroker { broker, address in
            let (client, _) = try await TestClient.connected(to: address)
            try await client.write(STOMPFrame(command: .send, headers: [("destination", "/topic/x"), ("receipt", "s1")], body: Array("x".utf8)))
            #expect(try await client.nextFrame().headers["receipt-id"] == "s1")
            try await client.write(STOMPFrame(command: .disconnect, headers: [("receipt", "bye")]))
            let receipt = try await client.nextFrame()
            #expect(receipt.command == .receipt)
            #expect(receipt.headers["receipt-id"] == "bye")
            try await client.waitUntilClosed()
            #expect(try await eventually { broker.stats.connectionsCurrent == 0 })
            #expect(broker.stats.connectionsTotal == 1)
        }
    }

    @Test("port 0 binds an ephemeral port; several listen addresses are all bound")
    func ephemeralPorts() async throws {
        try await withBroker({ $0.listen = [ListenAddress(host: "127.0.0.1", port: 0), ListenAddress(host: "127.0.0.1", port: 0)] }) { broker, _ in
            #expect(broker.boundAddresses.count == 2)
            let ports = broker.boundAddresses.compactMap(\.port)
            #expect(ports.count == 2 && ports.allSatisfy { $0 > 0 } && ports[0] != ports[1])
            let (client, connected) = try await TestClient.connected(to: broker.boundAddresses[1])
            #expect(connected.command == .connected)
            await client.close()
        }
    }

    private func decode(_ bytes: [UInt8]) throws -> STOMPFrame? {
        var decoder = STOMPFrameDecoder()
        var buffer = ByteBuffer(bytes: bytes)
        guard case .frame(let frame) = try decoder.next(&buffer) else { return nil }
        return frame
    }
}
