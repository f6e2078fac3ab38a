import Foundation
import NIOCore
import STOMP
import Testing

@testable import ChorusBroker

@Suite("Broker routing over loopback TCP")
struct BrokerRoutingTests {
    @Test("a topic message reaches all three subscribers")
    func topicFanOut() async throws {
        try await withBroker { broker, address in
            var subscribers: [TestClient] = []
            for _ in 0..<3 {
                let (client, _) = try await TestClient.connected(to: address)
                try await client.subscribe("/topic/mcollective.discovery.agent")
                subscribers.append(client)
            }
            let (sender, _) = try await TestClient.connected(to: address)
            try await sender.send("/topic/mcollective.discovery.agent", body: "ping", headers: [("reply-to", "/queue/r.1")])
            for client in subscribers {
                let frame = try await client.nextFrame()
                #expect(frame.command == .message)
                #expect(frame.headers["destination"] == "/topic/mcollective.discovery.agent")
                #expect(frame.headers["reply-to"] == "/queue/r.1")
                #expect(frame.headers["message-id"] != nil)
                #expect(frame.headers["subscription"] == nil)
                #expect(String(buffer: frame.body) == "ping")
            }
            #expect(try await eventually { broker.stats.topicMessagesOut == 3 })
            for client in subscribers + [sender] { await client.close() }
        }
    }

    @Test("queue selectors deliver each directed request to exactly the matching node")
    func queueSelectors() async throws {
        try await withBroker { _, address in
            var nodes: [TestClient] = []
            for node in 1...3 {
                let (client, _) = try await TestClient.connected(to: address)
                try await client.subscribe("/queue/mcollective.nodes", selector: "mc_identity = 'node\(node)'")
                nodes.append(client)
            }
            let (sender, _) = try await TestClient.connected(to: address)
            for target in [2, 3, 2] {
                try await sender.send("/queue/mcollective.nodes", body: "to node\(target)", headers: [("mc_identity", "node\(target)")])
            }
            let second = try await nodes[1].nextFrame()
            #expect(String(buffer: second.body) == "to node2")
            #expect(String(buffer: try await nodes[1].nextFrame().body) == "to node2")
            #expect(String(buffer: try await nodes[2].nextFrame().body) == "to node3")
            #expect(try await nodes[0].framesArriving(within: .milliseconds(100)).isEmpty)
            #expect(nodes[1].received.pendingFrames == 0)
            for client in nodes + [sender] { await client.close() }
        }
    }

    @Test("queue messages alternate between two consumers")
    func roundRobin() async throws {
        try await withBroker { _, address in
            let (first, _) = try await TestClient.connected(to: address)
            let (second, _) = try await TestClient.connected(to: address)
            try await first.subscribe("/queue/work")
            try await second.subscribe("/queue/work")
            let (sender, _) = try await TestClient.connected(to: address)
            for index in 0..<6 { try await sender.send("/queue/work", body: "m\(index)") }
            var firstBodies: [String] = []
            var secondBodies: [String] = []
            for _ in 0..<3 {
                firstBodies.append(String(buffer: try await first.nextFrame().body))
                secondBodies.append(String(buffer: try await second.nextFrame().body))
            }
            #expect(firstBodies == ["m0", "m2", "m4"])
            #expect(secondBodies == ["m1", "m3", "m5"])
            for client in [first, second, sender] { await client.close() }
        }
    }

    @Test("a queue buffers until a consumer subscribes, dropping the oldest beyond its depth")
    func bufferingThenDelivery() async throws {
        try await withBroker({ $0.queueDepth = 3 }) { broker, address in
            let (sender, _) = try await TestClient.connected(to: address)
            for index in 1...5 { try await sender.send("/queue/mcollective.reply.client_1.1", body: "reply\(index)") }
            #expect(try await eventually { broker.stats.queueMessagesIn == 5 })
            #expect(broker.stats.bufferedMessages == 3)
            #expect(broker.stats.dropped == 2)
            let (client, _) = try await TestClient.connected(to: address)
            try await client.write(STOMPFrame(command: .subscribe, headers: [("destination", "/queue/mcollective.reply.client_1.1")]))
            var bodies: [String] = []
            for _ in 0..<3 { bodies.append(String(buffer: try await client.nextFrame().body)) }
            #expect(bodies == ["reply3", "reply4", "reply5"])
            #expect(try await eventually { broker.stats.bufferedMessages == 0 })
            for client in [sender, client] { await client.close() }
        }
    }

    @Test("an expired message is dropped and counted; a live one is delivered")
    func expiry() async throws {
        try await withBroker { broker, address in
            let (node, _) = try await TestClient.connected(to: address)
            try await node.subscribe("/topic/mcollective.rpcutil.agent")
            let (sender, _) = try await TestClient.connected(to: address)
            let now = Int64(Date().timeIntervalSince1970 * 1000)
            try await sender.send("/topic/mcollective.rpcutil.agent", body: "stale", headers: [("expires", "\(now - 1000)")])
            try await sender.send("/topic/mcollective.rpcutil.agent", body: "fresh", headers: [("expires", "\(now + 60000)")])
            let frame = try await node.nextFrame()
            #expect(String(buffer: frame.body) == "fresh")
            #expect(frame.headers["expires"] == "\(now + 60000)")
            #expect(try await eventually { broker.stats.expired == 1 })
            // Buffered in a queue, then expired before anyone subscribes.
            try await sender.send("/queue/late", body: "soon stale", headers: [("expires", "\(now + 150)")])
            try await Task.sleep(for: .milliseconds(400))
            try await node.subscribe("/queue/late")
            #expect(try await node.framesArriving(within: .milliseconds(100)).isEmpty)
            #expect(try await eventually { broker.stats.expired == 2 })
            for client in [node, sender] { await client.close() }
        }
    }

    @Test("STOMP 1.1 subscription ids appear on MESSAGE; UNSUBSCRIBE by id stops delivery")
    func subscriptionIDs() async throws {
        try await withBroker { broker, address in
            let (client, connected) = try await TestClient.connected(to: address, headers: [("accept-version", "1.1,1.0")])
            #expect(connected.headers["version"] == "1.1")
            try await client.subscribe("/queue/mcollective.reply.c_9.1", id: "/queue/mcollective.reply.c_9.1")
            try await client.send("/queue/mcollective.reply.c_9.1", body: "one", headers: [("mc_sender", "node:1")])
            let frame = try await client.nextFrame()
            #expect(frame.headers["subscription"] == "/queue/mcollective.reply.c_9.1")
            #expect(frame.headers["mc_sender"] == "node:1")
            try await client.write(STOMPFrame(command: .unsubscribe, headers: [("id", "/queue/mcollective.reply.c_9.1"), ("receipt", "u")]))
            #expect(try await client.nextFrame().headers["receipt-id"] == "u")
            #expect(broker.stats.subscriptions == 0)
            try await client.send("/queue/mcollective.reply.c_9.1", body: "two")
            #expect(try await client.framesArriving(within: .milliseconds(100)).isEmpty)
            await client.close()
        }
    }

    @Test("binary bodies with NUL bytes pass through unchanged")
    func binaryBody() async throws {
        try await withBroker { _, address in
            let (client, _) = try await TestClient.connected(to: address)
            try await client.subscribe("/queue/bin")
            let body: [UInt8] = (0..<4000).map { UInt8(truncatingIfNeeded: $0 * 7) }
            try await client.write(STOMPFrame(command: .send, headers: [("destination", "/queue/bin")], body: body))
            let frame = try await client.nextFrame()
            #expect(Array(frame.body.readableBytesView) == body)
            #expect(frame.headers["content-length"] == "4000")
            await client.close()
        }
    }
}

@Suite("Broker flow control over loopback TCP")
struct BrokerFlowControlTests {
    @Test("a consumer that stops reading loses messages beyond its bound; others are unaffected")
    func slowConsumer() async throws {
        try await withBroker({ $0.maxPendingMessagesPerConsumer = 8 }) { broker, address in
            let (slow, _) = try await TestClient.connected(to: address)
            try await slow.subscribe("/topic/firehose")
            try await slow.channel.setOption(ChannelOptions.autoRead, value: false).get()
            let (fast, _) = try await TestClient.connected(to: address)
            try await fast.subscribe("/topic/firehose")
            let (sender, _) = try await TestClient.connected(to: address)
            // 30 MB in bursts of 1 MB: far more than the stalled consumer's socket buffers and
            // the broker's 4 MiB backlog, never more than a healthy consumer's.
            let body = String(repeating: "x", count: 100_000)
            let count = 300
            for _ in 0..<(count / 10) {
                for _ in 0..<10 { try await sender.send("/topic/firehose", body: body) }
                for _ in 0..<10 { _ = try await fast.nextFrame(timeout: .seconds(10)) }
            }
            #expect(try await eventually(timeout: .seconds(10)) { broker.stats.topicMessagesIn == count })
            #expect(broker.stats.dropped > 0)
            #expect(broker.stats.topicMessagesOut == 2 * count)
            try await slow.channel.setOption(ChannelOptions.autoRead, value: true).get()
            slow.channel.read()
            let slowFrames = count - broker.stats.dropped
            for _ in 0..<slowFrames { _ = try await slow.nextFrame(timeout: .seconds(10)) }
            #expect(!slow.received.closed)
            for client in [slow, fast, sender] { await client.close() }
        }
    }

    @Test("5,000 queued messages arrive complete and in order")
    func manyMessages() async throws {
        try await withBroker { broker, address in
            let (consumer, _) = try await TestClient.connected(to: address)
            try await consumer.subscribe("/queue/bulk")
            let (sender, _) = try await TestClient.connected(to: address)
            var batch = ByteBuffer()
            for index in 0..<5000 {
                STOMPFrameEncoder.encode(
                    STOMPFrame(command: .send, headers: [("destination", "/queue/bulk")], body: Array("m\(index)".utf8)),
                    into: &batch, escapeHeaders: false)
            }
            try await sender.channel.writeAndFlush(batch).get()
            for index in 0..<5000 {
                let frame = try await consumer.nextFrame(timeout: .seconds(10))
                #expect(String(buffer: frame.body) == "m\(index)")
                if String(buffer: frame.body) != "m\(index)" { break }
            }
            #expect(broker.stats.queueMessagesOut == 5000)
            for client in [consumer, sender] { await client.close() }
        }
    }
}
