import NIOCore
import STOMP
import Testing

@testable import ChorusBroker

@Suite("Broker connection and subscription limits")
struct BrokerLimitsTests {
    @Test("limits.max_connections: one connection too many gets an ERROR naming the limit and is closed")
    func connections() async throws {
        try await withBroker({ $0.maxConnections = 2 }) { broker, address in
            let first = try await TestClient.connected(to: address, version: "1.2")
            let second = try await TestClient.connected(to: address, version: "1.0")
            let (third, refusal) = try await TestClient.connected(to: address, headers: [("accept-version", "1.2")])
            #expect(refusal.command == .error)
            #expect(refusal.headers["message"] == "Too many connections")
            #expect(refusal.text.contains("limits.max_connections = 2"))
            try await third.waitUntilClosed()
            #expect(try await eventually { broker.stats.connectionLimitExceeded == 1 })
            #expect(try await eventually { broker.stats.protocolErrors == 0 })
            // The others keep working, and a place that frees up can be taken.
            try await first.subscribe("/topic/t", id: "t", ack: "auto")
            try await second.send("/topic/t", body: "still here")
            #expect(try await first.messages(1)[0].text == "still here")
            await second.close()
            #expect(try await eventually { broker.stats.connectionsCurrent == 1 })
            let again = try await TestClient.connected(to: address, version: "1.2")
            await again.close()
            await first.close()
        }
    }

    @Test("limits.max_subscriptions_per_connection: SUBSCRIBE and temp-queue reply queues beyond it get an ERROR")
    func subscriptions() async throws {
        try await withBroker({ $0.maxSubscriptionsPerConnection = 2 }) { broker, address in
            let client = try await TestClient.connected(to: address, version: "1.2")
            try await client.subscribe("/queue/a", id: "a", ack: "auto")
            try await client.subscribe("/topic/b", id: "b", ack: "auto")
            let (refusal, _) = try await client.request(.subscribe, [("destination", "/queue/c"), ("id", "c")])
            #expect(refusal.headers["message"] == "Too many subscriptions")
            #expect(refusal.text.contains("limits.max_subscriptions_per_connection = 2"))
            try await client.waitUntilClosed()

            let requester = try await TestClient.connected(to: address, version: "1.2")
            try await requester.subscribe("/queue/a", id: "a", ack: "auto")
            #expect(
                try await requester.request(
                    .send, [("destination", "/queue/x"), ("reply-to", "/temp-queue/one")]
                ).answer.command == .receipt)
            let (tempRefusal, _) = try await requester.request(
                .send, [("destination", "/queue/x"), ("reply-to", "/temp-queue/two")])
            #expect(tempRefusal.headers["message"] == "Too many subscriptions")
            try await requester.waitUntilClosed()
            #expect(try await eventually { broker.stats.subscriptionLimitExceeded == 2 })
            #expect(try await eventually { broker.stats.protocolErrors == 0 })
        }
    }

    @Test("the limit, acknowledgement, transaction and shutdown keys parse; bad values name the key")
    func configuration() throws {
        let configuration = try BrokerConfiguration(parsing: """
            limits.max_connections = 50
            limits.max_subscriptions_per_connection = 20
            limits.max_unacked = 10
            limits.max_transactions_per_connection = 3
            limits.max_frames_per_transaction = 40
            shutdown.grace_ms = 0
            """)
        #expect(configuration.maxConnections == 50)
        #expect(configuration.maxSubscriptionsPerConnection == 20)
        #expect(configuration.maxUnackedPerSubscription == 10)
        #expect(configuration.maxTransactionsPerConnection == 3)
        #expect(configuration.maxFramesPerTransaction == 40)
        #expect(configuration.shutdownGraceMilliseconds == 0)
        let defaults = BrokerConfiguration()
        #expect(defaults.maxUnackedPerSubscription == 1000)
        #expect(defaults.shutdownGraceMilliseconds == 5000)
        for line in ["limits.max_connections = 0", "limits.max_unacked = lots", "shutdown.grace_ms = -1"] {
            let key = String(line.prefix { $0 != " " })
            #expect {
                try BrokerConfiguration(parsing: line)
            } throws: { error in
                (error as? BrokerConfigurationError)?.message.hasPrefix(key) == true
            }
        }
    }
}
