import NIOCore
import STOMP
import Testing

@testable import ChorusBroker

@Suite("Routing core (no sockets)")
struct RoutingCoreTests {
    private let topic = Destination("/topic/mcollective.discovery.agent")!
    private let queue = Destination("/queue/mcollective.nodes")!

    private func message(_ destination: Destination, _ body: String, _ headers: [(String, String)] = [], id: Int = 1) -> BrokerMessage {
        BrokerMessage(
            destination: destination, messageID: "ID:\(id)", headers: STOMPHeaders(headers), body: ByteBuffer(string: body))
    }

    private func subscription(_ connection: UInt64, _ destination: Destination, id: String? = nil, selector: String? = nil) throws -> Subscription {
        Subscription(
            connection: ConnectionID(connection), id: id, destination: destination,
            selector: try selector.map { try Selector($0) }, escapesHeaders: false)
    }

    @Test("destinations of both dialects parse; others do not")
    func destinations() {
        #expect(Destination("/topic/a")?.kind == .topic)
        #expect(Destination("/queue/a.b")?.name == "a.b")
        #expect(Destination("/queue/") == nil)
        #expect(Destination("/amq/queue/a.b")?.kind == .queue)
        #expect(Destination("/amq/queue/a.b")?.name == "a.b")
        let directed = Destination("/exchange/mcollective_directed/node1")
        #expect(directed?.kind == .exchange)
        #expect(directed?.name == "mcollective_directed")
        #expect(directed?.routingKey == "node1")
        #expect(Destination("/exchange/mcollective_broadcast")?.routingKey == nil)
        #expect(Destination("/exchange/x/")?.routingKey == "")
        #expect(Destination("/exchange/x/a/b") == nil)
        #expect(Destination("/exchange/") == nil)
        #expect(Destination("/exchange//key") == nil)
        #expect(Destination("/temp-queue/mcollective_reply_rpcutil")?.kind == .temporaryQueue)
        let reply = Destination("/reply-queue/amq.gen-abc")
        #expect(reply?.kind == .replyQueue)
        #expect(reply?.deliveredPath == "/queue/amq.gen-abc")
        #expect(directed?.deliveredPath == "/exchange/mcollective_directed/node1")
        #expect(Destination("/elsewhere/x") == nil)
        #expect(Destination("queue/x") == nil)
    }

    @Test("topic fan-out honours selectors; unrouted messages are counted")
    func topicFanOut() throws {
        var core = RoutingCore()
        var got: [UInt64] = []
        for connection in UInt64(1)...3 { try core.subscribe(try subscription(connection, topic), now: 0) { _, _ in } }
        try core.subscribe(try subscription(4, topic, selector: "x = 'no'"), now: 0) { _, _ in }
        try core.publish(message(topic, "ping"), now: 0) { subscription, _ in got.append(subscription.connection.rawValue) }
        #expect(got.sorted() == [1, 2, 3])
        try core.publish(message(Destination("/topic/other")!, "ping"), now: 0) { _, _ in Issue.record("delivered") }
        #expect(core.counters.unrouted == 1)
        #expect(core.counters.topicMessagesOut == 3)
    }

    @Test("queues: round robin among matching consumers, buffering, oldest dropped when full")
    func queueSemantics() throws {
        var core = RoutingCore(queueDepth: 2)
        var got: [(UInt64, String)] = []
        let record: (Subscription, BrokerMessage) -> Void = { got.append(($0.connection.rawValue, String(buffer: $1.body))) }
        for body in ["m1", "m2", "m3"] { try core.publish(message(queue, body), now: 0, deliver: record) }
        #expect(core.counters.queueOverflowDrops == 1)
        #expect(core.bufferedCount(queue: "mcollective.nodes") == 2)
        try core.subscribe(try subscription(1, queue), now: 0, deliver: record)
        #expect(got.map(\.1) == ["m2", "m3"])
        try core.subscribe(try subscription(2, queue), now: 0, deliver: record)
        got.removeAll()
        for body in ["a", "b", "c", "d"] { try core.publish(message(queue, body), now: 0, deliver: record) }
        #expect(got.map(\.0) == [1, 2, 1, 2])
    }

    @Test("queue selectors deliver to exactly the matching consumer")
    func queueSelectors() throws {
        var core = RoutingCore()
        var got: [UInt64] = []
        for node in 1...3 {
            try core.subscribe(try subscription(UInt64(node), queue, selector: "mc_identity = 'node\(node)'"), now: 0) { _, _ in }
        }
        for _ in 0..<3 {
            try core.publish(message(queue, "req", [("mc_identity", "node2")]), now: 0) { got.append($0.connection.rawValue); _ = $1 }
        }
        #expect(got == [2, 2, 2])
    }

    @Test("expired messages are dropped at delivery time and by the sweep")
    func expiry() throws {
        var core = RoutingCore()
        try core.subscribe(try subscription(1, topic), now: 0) { _, _ in }
        try core.publish(message(topic, "old", [("expires", "1000")]), now: 1000) { _, _ in Issue.record("delivered") }
        try core.publish(message(queue, "later", [("expires", "5000")]), now: 1000) { _, _ in }
        try core.publish(message(queue, "never", [("expires", "0")]), now: 1000) { _, _ in }
        #expect(core.counters.expired == 1)
        core.sweep(now: 6000)
        #expect(core.counters.expired == 2)
        var bodies: [String] = []
        try core.subscribe(try subscription(2, queue), now: 6000) { bodies.append(String(buffer: $1.body)); _ = $0 }
        #expect(bodies == ["never"])
    }

    @Test("id-less subscriptions are keyed by destination; unsubscribe by id or destination")
    func subscriptionKeys() throws {
        var core = RoutingCore()
        try core.subscribe(try subscription(1, queue), now: 0) { _, _ in }
        do {
            try core.subscribe(try subscription(1, queue), now: 0) { _, _ in }
            Issue.record("a second id-less SUBSCRIBE to the same destination was accepted")
        } catch {
            #expect(error as? RoutingError == .duplicateSubscription("/queue/mcollective.nodes"))
        }
        try core.subscribe(try subscription(1, topic, id: "t1"), now: 0) { _, _ in }
        #expect(core.counters.subscriptions == 2)
        let byID = core.unsubscribe(connection: ConnectionID(1), id: "t1", destination: nil)
        let byDestination = core.unsubscribe(connection: ConnectionID(1), id: nil, destination: "/queue/mcollective.nodes")
        let again = core.unsubscribe(connection: ConnectionID(1), id: "t1", destination: nil)
        #expect(byID && byDestination && !again)
        #expect(core.counters.subscriptions == 0)
        try core.subscribe(try subscription(5, topic), now: 0) { _, _ in }
        core.removeConnection(ConnectionID(5))
        #expect(core.counters.subscriptions == 0)
        try core.publish(message(topic, "x"), now: 0) { _, _ in Issue.record("delivered after removal") }
    }

    @Test("MESSAGE header block keeps SEND headers and fixes content-length")
    func headerBlock() throws {
        let sent = message(queue, "abc", [("destination", "/queue/mcollective.nodes"), ("receipt", "r"), ("mc_identity", "node1"), ("content-length", "3")])
        let block = String(buffer: sent.headerBlock(escaped: false, allocator: ByteBufferAllocator()))
        #expect(block == "destination:/queue/mcollective.nodes\nmessage-id:ID:1\nmc_identity:node1\ncontent-length:3\n\n")
        let withColon = message(queue, "", [("k", "a:b")])
        #expect(String(buffer: withColon.headerBlock(escaped: true, allocator: ByteBufferAllocator())).contains("k:a\\cb\n"))
    }
}
