import NIOCore
import STOMP
import Testing

@testable import ChorusBroker

@Suite("Routing core: exchanges and private reply queues (no sockets)")
struct ExchangeRoutingTests {
    private let exchanges: [String: ExchangeType] = [
        "mcollective_broadcast": .topic, "mcollective_directed": .direct, "events": .fanout,
    ]

    private func message(_ path: String, _ body: String = "", _ headers: [(String, String)] = [], at now: Int64 = 0)
        -> BrokerMessage
    {
        BrokerMessage(
            destination: Destination(path)!, messageID: "ID:1", headers: STOMPHeaders(headers),
            body: ByteBuffer(string: body), receivedAt: now)
    }

    /// A routing core with helpers; a class so `#expect` can call into it.
    final class Harness {
        var core: RoutingCore

        init(exchanges: [String: ExchangeType]) {
            core = RoutingCore(exchanges: exchanges)
        }

        func subscribe(_ connection: UInt64, _ path: String, id: String? = nil) throws {
            let subscription = Subscription(
                connection: ConnectionID(connection), id: id, destination: Destination(path)!, selector: nil,
                escapesHeaders: false)
            try core.subscribe(subscription, now: 0) { _, _ in }
        }

        /// The connections a message reaches.
        func receivers(_ message: BrokerMessage, now: Int64 = 0) throws -> [UInt64] {
            var got: [UInt64] = []
            try core.publish(message, now: now) { subscription, _ in got.append(subscription.connection.rawValue) }
            return got.sorted()
        }
    }

    @Test("direct exchange: exact keys only, one node among three")
    func direct() throws {
        let harness = Harness(exchanges: exchanges)
        for node in UInt64(1)...3 { try harness.subscribe(node, "/exchange/mcollective_directed/node\(node)") }
        #expect(try harness.receivers(message("/exchange/mcollective_directed/node2")) == [2])
        #expect(try harness.receivers(message("/exchange/mcollective_directed/node")) == [])
        #expect(try harness.receivers(message("/exchange/mcollective_directed/#")) == [])
        #expect(harness.core.counters.exchangeMessagesIn == 3)
        #expect(harness.core.counters.exchangeMessagesOut == 1)
        #expect(harness.core.counters.unrouted == 2)
        #expect(harness.core.bindingCount(exchange: "mcollective_directed") == 3)
    }

    @Test("topic exchange: literal keys, wildcards, and a key-less subscription bound with #")
    func topic() throws {
        let harness = Harness(exchanges: exchanges)
        try harness.subscribe(1, "/exchange/mcollective_broadcast/rpcutil")
        try harness.subscribe(2, "/exchange/mcollective_broadcast/discovery")
        try harness.subscribe(3, "/exchange/mcollective_broadcast")
        try harness.subscribe(4, "/exchange/mcollective_broadcast/*.agent")
        #expect(try harness.receivers(message("/exchange/mcollective_broadcast/rpcutil")) == [1, 3])
        #expect(try harness.receivers(message("/exchange/mcollective_broadcast/discovery")) == [2, 3])
        #expect(try harness.receivers(message("/exchange/mcollective_broadcast/puppet.agent")) == [3, 4])
        #expect(try harness.receivers(message("/exchange/mcollective_broadcast")) == [3])
        harness.core.removeConnection(ConnectionID(3))
        #expect(try harness.receivers(message("/exchange/mcollective_broadcast/rpcutil")) == [1])
        let unsubscribed = harness.core.unsubscribe(
            connection: ConnectionID(4), id: nil, destination: "/exchange/mcollective_broadcast/*.agent")
        #expect(unsubscribed)
        #expect(try harness.receivers(message("/exchange/mcollective_broadcast/puppet.agent")) == [])
        #expect(harness.core.bindingCount(exchange: "mcollective_broadcast") == 2)
    }

    @Test("fanout exchange ignores keys; a direct exchange without key binds the empty key")
    func fanoutAndEmptyKeys() throws {
        let harness = Harness(exchanges: exchanges)
        try harness.subscribe(1, "/exchange/events/a")
        try harness.subscribe(2, "/exchange/events")
        #expect(try harness.receivers(message("/exchange/events/zzz")) == [1, 2])
        try harness.subscribe(3, "/exchange/mcollective_directed")
        #expect(try harness.receivers(message("/exchange/mcollective_directed")) == [3])
        #expect(try harness.receivers(message("/exchange/mcollective_directed/x")) == [])
    }

    @Test("undeclared exchanges are refused for SEND and SUBSCRIBE")
    func undeclared() throws {
        let harness = Harness(exchanges: exchanges)
        #expect(throws: RoutingError.exchangeNotFound("nope")) {
            try harness.core.publish(message("/exchange/nope/key"), now: 0) { _, _ in Issue.record("delivered") }
        }
        #expect(throws: RoutingError.exchangeNotFound("nope")) { try harness.subscribe(1, "/exchange/nope") }
        #expect(harness.core.counters.exchangeMessagesIn == 0)
        #expect(harness.core.counters.subscriptions == 0)
        #expect(throws: RoutingError.invalidDestination("/temp-queue/x")) {
            try harness.core.publish(message("/temp-queue/x"), now: 0) { _, _ in }
        }
        #expect(throws: RoutingError.invalidDestination("/temp-queue/x")) { try harness.subscribe(1, "/temp-queue/x") }
    }

    @Test("temp queues: one private queue per connection and name, delivered with its id, gone with the connection")
    func temporaryQueues() throws {
        let harness = Harness(exchanges: exchanges)
        var names = ["amq.gen-A", "amq.gen-B", "amq.gen-C"].makeIterator()
        let generate = { names.next()! }
        let first = try harness.core.temporaryQueue("mcollective_reply_discovery", for: ConnectionID(7), escapesHeaders: false, generateName: generate)
        let again = try harness.core.temporaryQueue("mcollective_reply_discovery", for: ConnectionID(7), escapesHeaders: false, generateName: generate)
        let other = try harness.core.temporaryQueue("mcollective_reply_discovery", for: ConnectionID(8), escapesHeaders: false, generateName: generate)
        #expect(first == "amq.gen-A")
        #expect(again == first)
        #expect(other == "amq.gen-B")
        #expect(harness.core.privateQueueOwner(first) == ConnectionID(7))
        #expect(harness.core.subscriptions(of: ConnectionID(7)).keys.sorted() == ["/temp-queue/mcollective_reply_discovery"])

        var delivered: [(String?, String)] = []
        try harness.core.publish(message("/reply-queue/amq.gen-A", "pong"), now: 0) { subscription, message in
            delivered.append((subscription.id, String(buffer: message.body)))
        }
        #expect(delivered.count == 1)
        #expect(delivered.first?.0 == "/temp-queue/mcollective_reply_discovery")
        #expect(String(buffer: harness.core.subscriptions(of: ConnectionID(7)).values.first!.frameLeader)
            == "MESSAGE\nsubscription:/temp-queue/mcollective_reply_discovery\n")

        // Nobody else may consume it, and its owner cannot cancel it.
        #expect(throws: RoutingError.queueLocked("amq.gen-A")) { try harness.subscribe(9, "/queue/amq.gen-A") }
        let byID = harness.core.unsubscribe(
            connection: ConnectionID(7), id: "/temp-queue/mcollective_reply_discovery", destination: nil)
        let byDestination = harness.core.unsubscribe(connection: ConnectionID(7), id: nil, destination: "/queue/amq.gen-A")
        #expect(!byID && !byDestination)

        harness.core.removeConnection(ConnectionID(7))
        #expect(harness.core.privateQueueOwner(first) == nil)
        #expect(try harness.receivers(message("/reply-queue/amq.gen-A", "late")) == [])
        #expect(harness.core.counters.unrouted == 1)
        #expect(harness.core.bufferedCount(queue: "amq.gen-A") == 0)
        #expect(harness.core.privateQueueOwner(other) == ConnectionID(8))
        // A new connection with the same temp-queue name gets a new queue.
        let fresh = try harness.core.temporaryQueue("mcollective_reply_discovery", for: ConnectionID(7), escapesHeaders: false, generateName: generate)
        #expect(fresh == "amq.gen-C")
    }

    @Test("a subscription id taken by the connection blocks the temp queue of that name")
    func temporaryQueueIDClash() throws {
        let harness = Harness(exchanges: exchanges)
        try harness.subscribe(1, "/queue/q", id: "/temp-queue/x")
        #expect(throws: RoutingError.duplicateSubscription("/temp-queue/x")) {
            _ = try harness.core.temporaryQueue("x", for: ConnectionID(1), escapesHeaders: false) { "amq.gen-Z" }
        }
    }

    @Test("expiration is relative to arrival; ActiveMQ's expires still absolute; the earlier wins")
    func expiration() throws {
        let harness = Harness(exchanges: exchanges)
        let relative = message("/queue/late", "r", [("expiration", "100")], at: 10_000)
        #expect(relative.expires == 10_101)
        #expect(!relative.isExpired(now: 10_100))
        #expect(relative.isExpired(now: 10_101))
        let both = message("/queue/late", "b", [("expiration", "70000"), ("expires", "10050")], at: 10_000)
        #expect(both.expires == 10_050)
        let zero = message("/queue/late", "z", [("expiration", "0")], at: 10_000)
        #expect(!zero.isExpired(now: 10_000))
        #expect(zero.isExpired(now: 10_001))
        for message in [relative, both, zero] { try harness.core.publish(message, now: 10_000) { _, _ in } }
        #expect(harness.core.bufferedCount(queue: "late") == 3)
        harness.core.sweep(now: 10_060)
        #expect(harness.core.counters.expired == 2)
        var bodies: [String] = []
        let consumer = Subscription(
            connection: ConnectionID(1), id: nil, destination: Destination("/amq/queue/late")!, selector: nil,
            escapesHeaders: false)
        try harness.core.subscribe(consumer, now: 10_080) { bodies.append(String(buffer: $1.body)); _ = $0 }
        #expect(bodies == ["r"])
        // Already expired when published to an exchange: dropped, not delivered.
        try harness.subscribe(2, "/exchange/mcollective_directed/node1")
        let stale = message("/exchange/mcollective_directed/node1", "s", [("expires", "5")])
        #expect(try harness.receivers(stale, now: 10_000) == [])
        #expect(harness.core.counters.expired == 3)
    }

    @Test("expiration values: non-negative integers only, clamped")
    func expirationParsing() {
        #expect(BrokerMessage.relativeExpiration("70000") == 70_000)
        #expect(BrokerMessage.relativeExpiration("0") == 0)
        #expect(BrokerMessage.relativeExpiration("-1") == nil)
        #expect(BrokerMessage.relativeExpiration("1.5") == nil)
        #expect(BrokerMessage.relativeExpiration("") == nil)
        #expect(BrokerMessage.relativeExpiration("abc") == nil)
        #expect(BrokerMessage.relativeExpiration("9223372036854775807") == BrokerMessage.maximumExpiration)
        #expect(BrokerMessage.relativeExpiration("99999999999999999999") == nil)
        let huge = BrokerMessage(
            destination: Destination("/queue/q")!, messageID: "m", headers: STOMPHeaders([("expiration", "9223372036854775807")]),
            body: ByteBuffer(), receivedAt: Int64.max / 2)
        #expect(huge.expires > Int64.max / 2)
    }

    @Test("RabbitMQ-shaped header block: delivered destination, redelivered, rewritten reply-to")
    func headerBlock() throws {
        let sent = BrokerMessage(
            destination: Destination("/reply-queue/amq.gen-X")!, messageID: "ID:9",
            headers: STOMPHeaders([("expiration", "70000"), ("mc_sender", "node1"), ("content-length", "2")]),
            body: ByteBuffer(string: "ok"))
        #expect(String(buffer: sent.headerBlock(escaped: false, allocator: ByteBufferAllocator()))
            == "destination:/queue/amq.gen-X\nmessage-id:ID:9\nredelivered:false\nexpiration:70000\nmc_sender:node1\ncontent-length:2\n\n")
        let request = BrokerMessage(
            destination: Destination("/exchange/mcollective_broadcast/discovery")!, messageID: "ID:10",
            headers: STOMPHeaders([("reply-to", "/temp-queue/mcollective_reply_discovery"), ("reply-to", "/temp-queue/2")]),
            body: ByteBuffer(), replyTo: "/reply-queue/amq.gen-Y")
        #expect(request.headers["reply-to"] == "/reply-queue/amq.gen-Y")
        // A repeated header is forwarded once, with its first value (rewritten here).
        #expect(request.headers.map(\.value) == ["/reply-queue/amq.gen-Y"])
        #expect(String(buffer: request.headerBlock(escaped: false, allocator: ByteBufferAllocator()))
            .hasPrefix("destination:/exchange/mcollective_broadcast/discovery\nmessage-id:ID:10\nredelivered:false\nreply-to:"))
        let activeMQ = BrokerMessage(destination: Destination("/queue/q")!, messageID: "ID:11", headers: STOMPHeaders(), body: ByteBuffer())
        #expect(!String(buffer: activeMQ.headerBlock(escaped: false, allocator: ByteBufferAllocator())).contains("redelivered"))
    }
}
