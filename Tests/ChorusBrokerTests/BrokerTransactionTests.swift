import NIOCore
import STOMP
import Testing

@testable import ChorusBroker

@Suite("Broker transactions and receipts over loopback TCP")
struct BrokerTransactionTests {
    @Test("SENDs in a transaction wait for COMMIT and arrive in order; ABORT discards them")
    func sends() async throws {
        try await withBroker { broker, address in
            let receiver = try await TestClient.connected(to: address, version: "1.2")
            try await receiver.subscribe("/queue/t", id: "r", ack: "auto")
            let sender = try await TestClient.connected(to: address, version: "1.2")
            #expect(try await sender.request(.begin, [("transaction", "t1")]).answer.command == .receipt)
            for body in ["a", "b"] {
                let (answer, _) = try await sender.request(
                    .send, [("destination", "/queue/t"), ("transaction", "t1"), ("x-order", body)], body: body, receipt: body)
                #expect(answer.command == .receipt)
            }
            #expect(try await receiver.framesArriving(within: .milliseconds(200)).isEmpty)
            #expect(try await eventually { broker.stats.transactionsOpenCurrent == 1 })
            #expect(try await sender.request(.commit, [("transaction", "t1")]).answer.command == .receipt)
            let delivered = try await receiver.messages(2)
            #expect(delivered.map(\.text) == ["a", "b"])
            #expect(delivered.allSatisfy { $0.headers["transaction"] == nil && $0.headers["receipt"] == nil })
            #expect(delivered.map { $0.headers["x-order"] } == ["a", "b"])

            #expect(try await sender.request(.begin, [("transaction", "t2")]).answer.command == .receipt)
            try await sender.send("/queue/t", body: "c", headers: [("transaction", "t2")])
            #expect(try await sender.request(.abort, [("transaction", "t2")]).answer.command == .receipt)
            #expect(try await receiver.framesArriving(within: .milliseconds(200)).isEmpty)
            #expect(try await eventually { broker.stats.transactionsCommitted == 1 })
            #expect(try await eventually { broker.stats.transactionsAborted == 1 })
            #expect(try await eventually { broker.stats.transactionsOpenCurrent == 0 })
            for client in [receiver, sender] { await client.close() }
        }
    }

    @Test("ACKs in a transaction settle at COMMIT; after ABORT the message still waits")
    func acks() async throws {
        try await withBroker { broker, address in
            let consumer = try await TestClient.connected(to: address, version: "1.2")
            try await consumer.subscribe("/queue/w", id: "w", ack: "client-individual")
            let producer = try await TestClient.connected(to: address, version: "1.2")
            for body in ["m1", "m2"] { try await producer.send("/queue/w", body: body) }
            let messages = try await consumer.messages(2)
            let (m1, m2) = (try #require(messages[0].headers["ack"]), try #require(messages[1].headers["ack"]))
            #expect(try await consumer.request(.begin, [("transaction", "t")]).answer.command == .receipt)
            #expect(try await consumer.request(.ack, [("id", m1), ("transaction", "t")]).answer.command == .receipt)
            // Statistics are published after each batch of input: one more round trip and they
            // include the held ACK's.
            #expect(try await consumer.request(.begin, [("transaction", "u")]).answer.command == .receipt)
            #expect(broker.stats.unackedMessagesCurrent == 2)
            #expect(try await consumer.request(.commit, [("transaction", "t")]).answer.command == .receipt)
            #expect(try await eventually { broker.stats.unackedMessagesCurrent == 1 })
            #expect(try await consumer.request(.ack, [("id", m2), ("transaction", "u")]).answer.command == .receipt)
            #expect(try await consumer.request(.abort, [("transaction", "u")]).answer.command == .receipt)
            // An ACK in a transaction must name a waiting message now.
            #expect(try await consumer.request(.begin, [("transaction", "v")]).answer.command == .receipt)
            #expect(broker.stats.unackedMessagesCurrent == 1)
            let (error, _) = try await consumer.request(.ack, [("id", m1), ("transaction", "v")])
            #expect(error.headers["message"] == "Message not found")
            try await consumer.waitUntilClosed()
            #expect(try await eventually { broker.stats.transactionsOpenCurrent == 0 && broker.stats.transactionsAborted == 2 })
            await producer.close()
        }
    }

    @Test("unknown, duplicate and nameless transactions are ERRORs; a closing connection aborts its transactions")
    func errors() async throws {
        try await withBroker { broker, address in
            let receiver = try await TestClient.connected(to: address, version: "1.2")
            try await receiver.subscribe("/queue/t", id: "r", ack: "auto")
            let cases: [(setup: [(STOMPCommand, [(String, String)])], frame: (STOMPCommand, [(String, String)]), message: String)] = [
                ([], (.commit, [("transaction", "nope")]), "Unknown transaction"),
                ([], (.abort, [("transaction", "nope")]), "Unknown transaction"),
                ([], (.send, [("destination", "/queue/t"), ("transaction", "nope")]), "Unknown transaction"),
                ([], (.begin, []), "Missing transaction"),
                ([(.begin, [("transaction", "t")])], (.begin, [("transaction", "t")]), "Transaction already started"),
                ([(.begin, [("transaction", "t")])], (.send, [("destination", "/exchange/undeclared/k"), ("transaction", "t")]), "not_found"),
            ]
            for refusal in cases {
                let client = try await TestClient.connected(to: address, version: "1.2")
                for (command, headers) in refusal.setup {
                    #expect(try await client.request(command, headers, receipt: "setup").answer.command == .receipt)
                }
                let (answer, _) = try await client.request(refusal.frame.0, refusal.frame.1, receipt: "bad")
                #expect(answer.command == .error)
                #expect(answer.headers["message"] == refusal.message)
                #expect(answer.headers["receipt-id"] == "bad")
                try await client.waitUntilClosed()
            }
            let quitter = try await TestClient.connected(to: address, version: "1.0")
            #expect(try await quitter.request(.begin, [("transaction", "t")]).answer.command == .receipt)
            #expect(try await quitter.request(.send, [("destination", "/queue/t"), ("transaction", "t")], body: "lost").answer.command == .receipt)
            await quitter.close()
            #expect(try await eventually { broker.stats.connectionsCurrent == 1 })
            #expect(try await eventually { broker.stats.transactionsOpenCurrent == 0 })
            #expect(try await eventually { broker.stats.transactionsAborted == 3 })
            #expect(try await receiver.framesArriving(within: .milliseconds(200)).isEmpty)
            await receiver.close()
        }
    }

    @Test("limits.max_transactions_per_connection and limits.max_frames_per_transaction: ERROR naming the limit, counted")
    func limits() async throws {
        try await withBroker({ $0.maxTransactionsPerConnection = 2; $0.maxFramesPerTransaction = 2 }) { broker, address in
            let busy = try await TestClient.connected(to: address, version: "1.2")
            for name in ["a", "b"] { #expect(try await busy.request(.begin, [("transaction", name)]).answer.command == .receipt) }
            let (tooMany, _) = try await busy.request(.begin, [("transaction", "c")])
            #expect(tooMany.headers["message"] == "Too many transactions")
            #expect(tooMany.text.contains("limits.max_transactions_per_connection = 2"))
            try await busy.waitUntilClosed()

            let large = try await TestClient.connected(to: address, version: "1.2")
            #expect(try await large.request(.begin, [("transaction", "t")]).answer.command == .receipt)
            for _ in 0..<2 {
                #expect(try await large.request(.send, [("destination", "/queue/x"), ("transaction", "t")]).answer.command == .receipt)
            }
            let (tooLarge, _) = try await large.request(.send, [("destination", "/queue/x"), ("transaction", "t")])
            #expect(tooLarge.headers["message"] == "Transaction too large")
            #expect(tooLarge.text.contains("limits.max_frames_per_transaction = 2"))
            try await large.waitUntilClosed()
            #expect(try await eventually { broker.stats.connectionsCurrent == 0 })
            #expect(try await eventually { broker.stats.transactionLimitExceeded == 1 })
            #expect(try await eventually { broker.stats.transactionFrameLimitExceeded == 1 })
            #expect(try await eventually { broker.stats.protocolErrors == 0 })
            #expect(try await eventually { broker.stats.transactionsAborted == 3 })
            #expect(try await eventually { broker.stats.bufferedMessages == 0 })
        }
    }

    @Test("every client frame with a receipt header gets its RECEIPT; DISCONNECT's comes before the close")
    func receipts() async throws {
        try await withBroker { _, address in
            let client = try await TestClient.connected(to: address, version: "1.2")
            try await client.subscribe("/queue/r", id: "s", ack: "client")
            let (sent, delivered) = try await client.request(.send, [("destination", "/queue/r")], body: "x", receipt: "send")
            #expect(sent.command == .receipt)
            var message = delivered.first
            if message == nil { message = try await client.messages(1)[0] }
            let ack = try #require(message?.headers["ack"])
            let steps: [(STOMPCommand, [(String, String)])] = [
                (.begin, [("transaction", "t")]),
                (.nack, [("id", ack), ("transaction", "t")]),
                (.abort, [("transaction", "t")]),
                (.begin, [("transaction", "u")]),
                (.commit, [("transaction", "u")]),
                (.ack, [("id", ack)]),
                (.unsubscribe, [("id", "s")]),
                (.subscribe, [("destination", "/topic/r"), ("id", "t")]),
            ]
            for (index, (command, headers)) in steps.enumerated() {
                let (answer, before) = try await client.request(command, headers, receipt: "step\(index)")
                #expect(answer.command == .receipt, "\(command)")
                #expect(before.isEmpty, "\(command)")
            }
            try await client.write(STOMPFrame(command: .disconnect, headers: [("receipt", "bye")]))
            let bye = try await client.nextFrame()
            #expect(bye.command == .receipt)
            #expect(bye.headers["receipt-id"] == "bye")
            try await client.waitUntilClosed()
        }
    }
}
