import NIOCore
import STOMP
import Testing

@testable import ChorusBroker

@Suite("Broker acknowledgements over loopback TCP")
struct BrokerAckTests {
    @Test("STOMP 1.2 client-individual: ack header, ACK by id, an unknown id is an ERROR, the rest is redelivered")
    func clientIndividual() async throws {
        try await withBroker { broker, address in
            let consumer = try await TestClient.connected(to: address, version: "1.2")
            try await consumer.subscribe("/queue/work", id: "s1", ack: "client-individual")
            let producer = try await TestClient.connected(to: address, version: "1.2")
            for body in ["m1", "m2"] { try await producer.send("/queue/work", body: body) }
            let messages = try await consumer.messages(2)
            #expect(messages.map(\.text) == ["m1", "m2"])
            #expect(messages.allSatisfy { $0.headers["subscription"] == "s1" && $0.headers["redelivered"] == nil })
            let first = try #require(messages[0].headers["ack"])
            let second = try #require(messages[1].headers["ack"])
            #expect(first != second)

            #expect(try await consumer.request(.ack, [("id", second)]).answer.command == .receipt)
            #expect(try await eventually { broker.stats.messagesAcknowledged == 1 && broker.stats.unackedMessagesCurrent == 1 })
            let (error, _) = try await consumer.request(.ack, [("id", second)], receipt: "again")
            #expect(error.command == .error)
            #expect(error.headers["message"] == "Message not found")
            #expect(error.headers["receipt-id"] == "again")
            try await consumer.waitUntilClosed()

            // m1 was never acknowledged: it goes back to the queue, to the next consumer.
            let other = try await TestClient.connected(to: address, version: "1.2")
            let drained = try await other.subscribe("/queue/work", id: "s2", ack: "auto")
            #expect(drained.count == 1)
            let again = try #require(drained.first)
            #expect(again.text == "m1")
            #expect(again.headers["redelivered"] == "true")
            #expect(again.headers["ack"] == nil)
            #expect(try await eventually { broker.stats.messagesRedelivered == 1 })
            #expect(try await eventually { broker.stats.protocolErrors == 1 })
            for client in [producer, other] { await client.close() }
        }
    }

    @Test("NACK: a queue message goes to another consumer, an exchange copy comes back, a topic copy is discarded")
    func nack() async throws {
        try await withBroker { broker, address in
            let a = try await TestClient.connected(to: address, version: "1.2")
            let b = try await TestClient.connected(to: address, version: "1.2")
            try await a.subscribe("/amq/queue/jobs", id: "a", ack: "client-individual")
            try await b.subscribe("/amq/queue/jobs", id: "b", ack: "client-individual")
            let producer = try await TestClient.connected(to: address, version: "1.2")
            try await producer.send("/amq/queue/jobs", body: "j1")
            let job = try await a.messages(1)[0]
            #expect(job.headers["redelivered"] == "false")
            #expect(try await a.request(.nack, [("id", try #require(job.headers["ack"]))]).answer.command == .receipt)
            let retry = try await b.messages(1)[0]
            #expect(retry.text == "j1")
            #expect(retry.headers["redelivered"] == "true")
            #expect(retry.headers["message-id"] == job.headers["message-id"])

            try await a.subscribe("/exchange/mcollective_broadcast/rpcutil", id: "x", ack: "client")
            try await producer.send("/exchange/mcollective_broadcast/rpcutil", body: "e1")
            let copy = try await a.messages(1)[0]
            // The copy comes back at once, before the NACK's RECEIPT.
            let (nacked, redelivered) = try await a.request(.nack, [("id", try #require(copy.headers["ack"]))])
            #expect(nacked.command == .receipt)
            #expect(redelivered.count == 1)
            let back = try #require(redelivered.first)
            #expect(back.text == "e1")
            #expect(back.headers["redelivered"] == "true")
            #expect(back.headers["ack"] != copy.headers["ack"])
            #expect(try await a.request(.nack, [("id", try #require(back.headers["ack"])), ("requeue", "false")]).answer.command == .receipt)

            try await b.subscribe("/topic/news", id: "t", ack: "client-individual")
            try await producer.send("/topic/news", body: "n1")
            let news = try await b.messages(1)[0]
            #expect(try await b.request(.nack, [("id", try #require(news.headers["ack"]))]).answer.command == .receipt)
            #expect(try await b.framesArriving(within: .milliseconds(200)).isEmpty)
            #expect(try await a.framesArriving(within: .milliseconds(1)).isEmpty)
            #expect(try await eventually { broker.stats.messagesNegativelyAcknowledged == 4 })
            #expect(try await eventually { broker.stats.unackedMessagesDiscarded == 2 })
            #expect(broker.stats.unackedMessagesCurrent == 1)  // j1 at b
            for client in [a, b, producer] { await client.close() }
        }
    }

    @Test("STOMP 1.0 client mode: a cumulative ACK by message-id; a disconnect gives the rest back in order; 1.1 ACK with subscription")
    func cumulative() async throws {
        try await withBroker { broker, address in
            let first = try await TestClient.connected(to: address, version: "1.0")
            #expect(try await first.request(.subscribe, [("destination", "/queue/q"), ("ack", "client")]).answer.command == .receipt)
            let producer = try await TestClient.connected(to: address, version: "1.0")
            for body in ["m1", "m2", "m3", "m4"] { try await producer.send("/queue/q", body: body) }
            let messages = try await first.messages(4)
            #expect(messages.allSatisfy { $0.headers["ack"] == nil })
            let through = try #require(messages[1].headers["message-id"])
            #expect(try await first.request(.ack, [("message-id", through)]).answer.command == .receipt)
            #expect(try await eventually { broker.stats.messagesAcknowledged == 2 })
            await first.close()

            let second = try await TestClient.connected(to: address, version: "1.1")
            let rest = try await second.subscribe("/queue/q", id: "d", ack: "client")
            #expect(rest.map(\.text) == ["m3", "m4"])
            #expect(rest.allSatisfy { $0.headers["redelivered"] == "true" && $0.headers["ack"] == nil })
            let last = try #require(rest[1].headers["message-id"])
            #expect(try await second.request(.ack, [("message-id", last), ("subscription", "d")]).answer.command == .receipt)
            #expect(try await eventually { broker.stats.messagesAcknowledged == 4 && broker.stats.unackedMessagesCurrent == 0 })
            for client in [second, producer] { await client.close() }
        }
    }

    @Test("limits.max_unacked: deliveries to a consumer stop until it ACKs; topic copies beyond it are dropped and counted")
    func unackedLimit() async throws {
        try await withBroker({ $0.maxUnackedPerSubscription = 2 }) { broker, address in
            let consumer = try await TestClient.connected(to: address, version: "1.2")
            try await consumer.subscribe("/queue/q", id: "q", ack: "client-individual")
            try await consumer.subscribe("/topic/t", id: "t", ack: "client-individual")
            let producer = try await TestClient.connected(to: address, version: "1.2")
            for body in ["m1", "m2", "m3"] { try await producer.send("/queue/q", body: body) }
            let firstTwo = try await consumer.messages(2)
            #expect(firstTwo.map(\.text) == ["m1", "m2"])
            #expect(try await consumer.framesArriving(within: .milliseconds(200)).isEmpty)
            #expect(try await eventually { broker.stats.bufferedMessages == 1 })
            // The ACK makes room: m3 is delivered at once, before the ACK's RECEIPT.
            let (answer, before) = try await consumer.request(.ack, [("id", try #require(firstTwo[0].headers["ack"]))])
            #expect(answer.command == .receipt)
            #expect(before.map(\.text) == ["m3"])

            for body in ["t1", "t2", "t3"] { try await producer.send("/topic/t", body: body) }
            #expect(try await consumer.messages(2).map(\.text) == ["t1", "t2"])
            #expect(try await eventually { broker.stats.unackedLimitDrops == 1 })
            #expect(try await consumer.framesArriving(within: .milliseconds(100)).isEmpty)
            for client in [consumer, producer] { await client.close() }
        }
    }

    @Test("UNSUBSCRIBE gives unacknowledged queue messages to another consumer at once")
    func unsubscribe() async throws {
        try await withBroker { broker, address in
            let leaving = try await TestClient.connected(to: address, version: "1.2")
            try await leaving.subscribe("/queue/q", id: "l", ack: "client-individual")
            let producer = try await TestClient.connected(to: address, version: "1.2")
            for body in ["m1", "m2"] { try await producer.send("/queue/q", body: body) }
            _ = try await leaving.messages(2)
            let staying = try await TestClient.connected(to: address, version: "1.2")
            try await staying.subscribe("/queue/q", id: "s", ack: "auto")
            #expect(try await leaving.request(.unsubscribe, [("id", "l")]).answer.command == .receipt)
            #expect(try await staying.messages(2).map(\.text) == ["m1", "m2"])
            #expect(try await eventually { broker.stats.unackedMessagesCurrent == 0 })
            for client in [leaving, staying, producer] { await client.close() }
        }
    }

    @Test("refused as RabbitMQ and ActiveMQ refuse them: unknown UNSUBSCRIBE, ACK of an auto delivery, NACK in 1.0, bad ack headers")
    func refusals() async throws {
        try await withBroker { broker, address in
            let producer = try await TestClient.connected(to: address, version: "1.2")
            let cases: [(version: String, setup: [STOMPFrame], frame: (command: STOMPCommand, headers: [(String, String)]), message: String)] = [
                ("1.2", [], (.unsubscribe, [("id", "nope")]), "No subscription found"),
                ("1.0", [], (.unsubscribe, [("destination", "/queue/none")]), "No subscription found"),
                ("1.0", [], (.nack, [("message-id", "ID:x")]), "NACK requires STOMP 1.1"),
                ("1.2", [], (.ack, [("message-id", "ID:x")]), "Missing id"),
                ("1.1", [], (.ack, [("id", "1")]), "Missing message-id"),
                ("1.2", [], (.ack, [("id", "T_s1@@session@@1")]), "Message not found"),
                ("1.2", [], (.subscribe, [("destination", "/queue/a"), ("ack", "sometimes")]), "Invalid ack mode"),
            ]
            for (index, refusal) in cases.enumerated() {
                let client = try await TestClient.connected(to: address, version: refusal.version)
                let (answer, _) = try await client.request(refusal.frame.command, refusal.frame.headers, receipt: "r\(index)")
                #expect(answer.command == .error, "\(refusal.frame.command)")
                #expect(answer.headers["message"] == refusal.message)
                #expect(answer.headers["receipt-id"] == "r\(index)")
                try await client.waitUntilClosed()
            }
            // An ACK of a message from an auto subscription names nothing waiting.
            let auto = try await TestClient.connected(to: address, version: "1.1")
            try await auto.subscribe("/queue/auto", id: "a", ack: "auto")
            try await producer.send("/queue/auto", body: "x")
            let message = try await auto.messages(1)[0]
            let (answer, _) = try await auto.request(
                .ack, [("message-id", try #require(message.headers["message-id"])), ("subscription", "a")])
            #expect(answer.headers["message"] == "Message not found")
            try await auto.waitUntilClosed()
            #expect(try await eventually { broker.stats.protocolErrors == cases.count + 1 })
            await producer.close()
        }
    }
}
