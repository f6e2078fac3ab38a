import NIOCore
import STOMP
import Testing

@testable import ChorusBroker

/// Deliveries the routing core handed out, in order.
private struct DeliveryLog {
    var entries: [(connection: UInt64, body: String, tag: DeliveryTag, redelivered: Bool)] = []

    mutating func record(_ subscription: Subscription, _ message: BrokerMessage, _ tag: DeliveryTag) -> Bool {
        entries.append((subscription.connection.rawValue, String(buffer: message.body), tag, message.redelivered))
        return true
    }

    func bodies(of connection: UInt64) -> [String] { entries.filter { $0.connection == connection }.map(\.body) }
    func tag(of body: String) -> DeliveryTag? { entries.last { $0.body == body }?.tag }
}

@Suite("Routing core acknowledgements (no sockets)")
struct RoutingAckTests {
    private let queue = Destination("/queue/work")!
    private let topic = Destination("/topic/news")!

    private func message(_ destination: Destination, _ body: String) -> BrokerMessage {
        BrokerMessage(destination: destination, messageID: "ID:\(body)", headers: STOMPHeaders(), body: ByteBuffer(string: body))
    }

    private func subscription(_ connection: UInt64, _ destination: Destination, id: String = "s", ack: AckMode) -> Subscription {
        Subscription(
            connection: ConnectionID(connection), id: id, destination: destination, selector: nil, escapesHeaders: true,
            ackMode: ack)
    }

    @Test("auto deliveries carry no tag and nothing waits; client-individual ones wait until ACKed")
    func tagsAndAcks() throws {
        var core = RoutingCore()
        var log = DeliveryLog()
        try core.subscribe(subscription(1, topic, id: "auto", ack: .auto), now: 0) { log.record($0, $1, $2) }
        try core.subscribe(subscription(1, topic, id: "own", ack: .clientIndividual), now: 0) { log.record($0, $1, $2) }
        try core.publish(message(topic, "a"), now: 0) { log.record($0, $1, $2) }
        #expect(log.entries.count == 2)
        #expect(log.entries.filter { !$0.tag.awaitsAcknowledgement }.count == 1)
        let tag = try #require(log.entries.first { $0.tag.awaitsAcknowledgement }?.tag)
        #expect(core.counters.unackedMessagesCurrent == 1)
        #expect(core.isUnacknowledged(.tag(tag), connection: ConnectionID(1)))
        #expect(!core.isUnacknowledged(.tag(tag), connection: ConnectionID(2)))
        #expect(core.acknowledge(.tag(tag), connection: ConnectionID(1), now: 0) { log.record($0, $1, $2) } == 1)
        #expect(core.acknowledge(.tag(tag), connection: ConnectionID(1), now: 0) { log.record($0, $1, $2) } == nil)
        #expect(core.counters.unackedMessagesCurrent == 0)
        #expect(core.counters.messagesAcknowledged == 1)
    }

    @Test("client ACK is cumulative per subscription; 1.0 message-id with and without subscription")
    func cumulative() throws {
        var core = RoutingCore()
        var log = DeliveryLog()
        try core.subscribe(subscription(1, queue, id: "q", ack: .client), now: 0) { log.record($0, $1, $2) }
        try core.subscribe(subscription(1, topic, id: "t", ack: .client), now: 0) { log.record($0, $1, $2) }
        for body in ["m1", "m2", "m3"] { try core.publish(message(queue, body), now: 0) { log.record($0, $1, $2) } }
        try core.publish(message(topic, "t1"), now: 0) { log.record($0, $1, $2) }
        #expect(core.acknowledge(.messageID("ID:m2", subscription: "q"), connection: ConnectionID(1), now: 0) { log.record($0, $1, $2) } == 2)
        #expect(core.acknowledge(.messageID("ID:m1", subscription: nil), connection: ConnectionID(1), now: 0) { log.record($0, $1, $2) } == nil)
        #expect(core.acknowledge(.messageID("ID:t1", subscription: "q"), connection: ConnectionID(1), now: 0) { log.record($0, $1, $2) } == nil)
        #expect(core.unacknowledgedCount(of: ConnectionID(1)) == 2)
        #expect(core.acknowledge(.messageID("ID:t1", subscription: nil), connection: ConnectionID(1), now: 0) { log.record($0, $1, $2) } == 1)
        #expect(core.unacknowledgedCount(of: ConnectionID(1)) == 1)
    }

    @Test("a consumer that leaves gives its unacknowledged queue messages back, in order, marked redelivered")
    func releaseOnUnsubscribe() throws {
        var core = RoutingCore()
        var log = DeliveryLog()
        try core.subscribe(subscription(1, queue, ack: .clientIndividual), now: 0) { log.record($0, $1, $2) }
        for body in ["m1", "m2", "m3"] { try core.publish(message(queue, body), now: 0) { log.record($0, $1, $2) } }
        #expect(core.acknowledge(.tag(try #require(log.tag(of: "m2"))), connection: ConnectionID(1), now: 0) { log.record($0, $1, $2) } == 1)
        try core.publish(message(queue, "m4"), now: 0) { log.record($0, $1, $2) }  // to connection 1 as well
        core.unsubscribe(connection: ConnectionID(1), id: "s", destination: nil, now: 0) { log.record($0, $1, $2) }
        #expect(core.bufferedCount(queue: "work") == 3)
        try core.subscribe(subscription(2, queue, ack: .auto), now: 0) { log.record($0, $1, $2) }
        #expect(log.bodies(of: 2) == ["m1", "m3", "m4"])
        #expect(log.entries.suffix(3).allSatisfy { $0.redelivered })
        #expect(core.counters.messagesRedelivered == 3)
        #expect(core.counters.unackedMessagesCurrent == 0)
        #expect(core.counters.bufferedMessages == 0)
    }

    @Test("a closing connection's queue messages go to another consumer at once; its topic copies are discarded")
    func releaseOnDisconnect() throws {
        var core = RoutingCore()
        var log = DeliveryLog()
        try core.subscribe(subscription(1, queue, id: "q", ack: .client), now: 0) { log.record($0, $1, $2) }
        try core.subscribe(subscription(1, topic, id: "t", ack: .client), now: 0) { log.record($0, $1, $2) }
        try core.publish(message(queue, "m1"), now: 0) { log.record($0, $1, $2) }
        try core.publish(message(topic, "t1"), now: 0) { log.record($0, $1, $2) }
        try core.subscribe(subscription(2, queue, ack: .auto), now: 0) { log.record($0, $1, $2) }
        core.removeConnection(ConnectionID(1), now: 0) { log.record($0, $1, $2) }
        #expect(log.bodies(of: 2) == ["m1"])
        #expect(log.entries.last?.redelivered == true)
        #expect(core.counters.unackedMessagesDiscarded == 1)
        #expect(core.counters.unackedMessagesCurrent == 0)
    }

    @Test("maxUnacked: a queue skips a full consumer and buffers until an ACK makes room; a topic copy is dropped")
    func limits() throws {
        var core = RoutingCore(maxUnacked: 2)
        var log = DeliveryLog()
        try core.subscribe(subscription(1, queue, ack: .clientIndividual), now: 0) { log.record($0, $1, $2) }
        try core.subscribe(subscription(1, topic, id: "t", ack: .clientIndividual), now: 0) { log.record($0, $1, $2) }
        for body in ["m1", "m2", "m3", "m4"] { try core.publish(message(queue, body), now: 0) { log.record($0, $1, $2) } }
        #expect(log.bodies(of: 1) == ["m1", "m2"])
        #expect(core.bufferedCount(queue: "work") == 2)
        #expect(core.acknowledge(.tag(try #require(log.tag(of: "m1"))), connection: ConnectionID(1), now: 0) { log.record($0, $1, $2) } == 1)
        #expect(log.bodies(of: 1) == ["m1", "m2", "m3"])
        #expect(core.bufferedCount(queue: "work") == 1)

        for body in ["t1", "t2", "t3"] { try core.publish(message(topic, body), now: 0) { log.record($0, $1, $2) } }
        #expect(log.bodies(of: 1).suffix(2) == ["t1", "t2"])
        #expect(core.counters.unackedLimitDrops == 1)
        #expect(core.counters.unrouted == 0)
    }

    @Test("NACK: a queue message goes to the next consumer, a topic copy is discarded, an exchange copy comes back")
    func nack() throws {
        var core = RoutingCore(exchanges: ["x": .topic])
        var log = DeliveryLog()
        try core.subscribe(subscription(1, queue, ack: .clientIndividual), now: 0) { log.record($0, $1, $2) }
        try core.subscribe(subscription(2, queue, ack: .clientIndividual), now: 0) { log.record($0, $1, $2) }
        try core.publish(message(queue, "m1"), now: 0) { log.record($0, $1, $2) }
        #expect(log.bodies(of: 1) == ["m1"])
        #expect(core.reject(.tag(try #require(log.tag(of: "m1"))), connection: ConnectionID(1), requeue: true, now: 0) { log.record($0, $1, $2) } == 1)
        #expect(log.bodies(of: 2) == ["m1"])
        #expect(log.entries.last?.redelivered == true)
        #expect(core.reject(.tag(try #require(log.tag(of: "m1"))), connection: ConnectionID(2), requeue: false, now: 0) { log.record($0, $1, $2) } == 1)
        #expect(core.counters.unackedMessagesDiscarded == 1)

        try core.subscribe(subscription(3, topic, ack: .client), now: 0) { log.record($0, $1, $2) }
        try core.publish(message(topic, "t1"), now: 0) { log.record($0, $1, $2) }
        #expect(core.reject(.tag(try #require(log.tag(of: "t1"))), connection: ConnectionID(3), requeue: true, now: 0) { log.record($0, $1, $2) } == 1)
        #expect(log.bodies(of: 3) == ["t1"])
        #expect(core.counters.unackedMessagesDiscarded == 2)

        let exchange = Destination("/exchange/x/a.b")!
        try core.subscribe(subscription(4, Destination("/exchange/x/a.*")!, ack: .clientIndividual), now: 0) { log.record($0, $1, $2) }
        try core.publish(message(exchange, "e1"), now: 0) { log.record($0, $1, $2) }
        let first = try #require(log.tag(of: "e1"))
        #expect(core.reject(.tag(first), connection: ConnectionID(4), requeue: true, now: 0) { log.record($0, $1, $2) } == 1)
        #expect(log.bodies(of: 4) == ["e1", "e1"])
        #expect(try #require(log.tag(of: "e1")) > first)
        #expect(core.counters.messagesNegativelyAcknowledged == 4)
        #expect(core.counters.unackedMessagesCurrent == 1)
    }

    @Test("a delivery the connection could not write is not waited for")
    func unwritten() throws {
        var core = RoutingCore()
        try core.subscribe(subscription(1, queue, ack: .clientIndividual), now: 0) { _, _, _ in false }
        try core.publish(message(queue, "m1"), now: 0) { _, _, _ in false }
        #expect(core.counters.unackedMessagesCurrent == 0)
        #expect(core.unacknowledgedCount(of: ConnectionID(1)) == 0)
    }

    @Test("maxSubscriptionsPerConnection covers private reply queues too")
    func subscriptionLimit() throws {
        var core = RoutingCore(maxSubscriptionsPerConnection: 2)
        try core.subscribe(subscription(1, queue, id: "a", ack: .auto), now: 0) { _, _, _ in true }
        _ = try core.temporaryQueue("r", for: ConnectionID(1), escapesHeaders: true) { "amq.gen-1" }
        #expect(throws: RoutingError.subscriptionLimit(2)) {
            try core.subscribe(subscription(1, topic, id: "b", ack: .auto), now: 0) { _, _, _ in true }
        }
        #expect(throws: RoutingError.subscriptionLimit(2)) {
            _ = try core.temporaryQueue("r2", for: ConnectionID(1), escapesHeaders: true) { "amq.gen-2" }
        }
        try core.subscribe(subscription(2, topic, id: "b", ack: .auto), now: 0) { _, _, _ in true }
        #expect(core.counters.subscriptionLimitExceeded == 2)
    }
}
