import Foundation
import Logging
import NIOCore
import STOMP

/// The glue between the routing core and the connections, living on one event loop: it owns
/// the ``RoutingCore``, knows each connection's handler, batches flushes (a connection that got
/// deliveries while another connection's input was processed is flushed once, when that input
/// batch ends), publishes ``BrokerStats``, and at shutdown lets every connection finish writing
/// (``closeAll(grace:)``).
final class BrokerRouter {
    let eventLoop: any EventLoop
    let configuration: BrokerConfiguration
    let stats: BrokerStats
    let logger: Logger
    var core: RoutingCore
    /// Connection-level counters; the routing ones come from `core.counters`.
    var connectionCounters = BrokerStats.Snapshot()
    /// Slow-consumer drops (see ``BrokerConnectionHandler``).
    var slowConsumerDrops = 0

    private var connections: [ConnectionID: BrokerConnectionHandler] = [:]
    private var needsFlush: [BrokerConnectionHandler] = []
    private var nextConnection: UInt64 = 0
    private var nextMessage: UInt64 = 0
    private var sweepTask: RepeatedTask?
    /// Prefix of session and message ids, unique per broker run.
    let runID: String

    init(eventLoop: any EventLoop, configuration: BrokerConfiguration, stats: BrokerStats, logger: Logger) {
        self.eventLoop = eventLoop
        self.configuration = configuration
        self.stats = stats
        self.logger = logger
        self.core = RoutingCore(
            queueDepth: configuration.queueDepth, exchanges: configuration.exchanges,
            maxUnacked: configuration.maxUnackedPerSubscription,
            maxSubscriptionsPerConnection: configuration.maxSubscriptionsPerConnection)
        self.runID = "chorus-\(ProcessInfo.processInfo.processIdentifier)-\(Self.epochMilliseconds())"
    }

    /// Wall-clock time in epoch milliseconds, the unit of the `expires` header and the base of
    /// `expiration`.
    static func epochMilliseconds() -> Int64 {
        Int64(Date().timeIntervalSince1970 * 1000)
    }

    // MARK: Connections

    func register(_ handler: BrokerConnectionHandler) -> ConnectionID {
        nextConnection += 1
        let id = ConnectionID(nextConnection)
        connections[id] = handler
        connectionCounters.connectionsCurrent += 1
        connectionCounters.connectionsTotal += 1
        publishStats()
        return id
    }

    /// Whether a connection just registered is one too many (`limits.max_connections`).
    var isOverConnectionLimit: Bool {
        connectionCounters.connectionsCurrent > configuration.maxConnections
    }

    /// Forgets a closed connection: its open transactions are aborted, its subscriptions end
    /// and its unacknowledged queue messages go back to their queues (to other consumers).
    func unregister(_ id: ConnectionID) {
        guard let handler = connections.removeValue(forKey: id) else { return }
        let aborted = handler.abandonTransactions()
        connectionCounters.transactionsOpenCurrent -= aborted
        connectionCounters.transactionsAborted += aborted
        core.removeConnection(id, now: Self.epochMilliseconds(), deliver: deliverToConnection)
        connectionCounters.connectionsCurrent -= 1
        publishStats()
    }

    func nextMessageID() -> String {
        nextMessage += 1
        return "ID:\(runID)-\(nextMessage)"
    }

    // MARK: Routing

    func publish(_ message: BrokerMessage, now: Int64) throws(RoutingError) {
        // A closure literal rather than `deliverToConnection`: the hot path builds no context.
        try core.publish(message, now: now) { subscription, message, tag in
            connections[subscription.connection]?.deliver(subscription, message, tag: tag) ?? false
        }
    }

    /// Hands one delivery of the routing core to its connection's handler.
    private func deliverToConnection(_ subscription: Subscription, _ message: BrokerMessage, _ tag: DeliveryTag) -> Bool {
        connections[subscription.connection]?.deliver(subscription, message, tag: tag) ?? false
    }

    /// Cancels subscriptions of `connection` (see ``RoutingCore/unsubscribe(connection:id:destination:now:deliver:)``).
    func unsubscribe(connection: ConnectionID, id: String?, destination: String?) -> Bool {
        core.unsubscribe(
            connection: connection, id: id, destination: destination, now: Self.epochMilliseconds(),
            deliver: deliverToConnection)
    }

    /// ACK (see ``RoutingCore/acknowledge(_:connection:now:deliver:)``); nil when nothing waits under `reference`.
    func acknowledge(_ reference: AckReference, connection: ConnectionID) -> Int? {
        core.acknowledge(reference, connection: connection, now: Self.epochMilliseconds(), deliver: deliverToConnection)
    }

    /// NACK (see ``RoutingCore/reject(_:connection:requeue:now:deliver:)``); nil when nothing waits under `reference`.
    func reject(_ reference: AckReference, connection: ConnectionID, requeue: Bool) -> Int? {
        core.reject(
            reference, connection: connection, requeue: requeue, now: Self.epochMilliseconds(),
            deliver: deliverToConnection)
    }

    /// The private reply queue of `connection` for `/temp-queue/<name>` (see
    /// ``RoutingCore/temporaryQueue(_:for:escapesHeaders:generateName:)``), named like RabbitMQ's
    /// server-named queues: `amq.gen-` and 22 URL-safe base64 characters of randomness.
    func temporaryQueue(_ name: String, for connection: ConnectionID, escapesHeaders: Bool) throws(RoutingError) -> String {
        try core.temporaryQueue(name, for: connection, escapesHeaders: escapesHeaders) {
            Self.generatedQueueName()
        }
    }

    private static let base64URL = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".utf8)

    /// `amq.gen-` followed by 16 random bytes in unpadded URL-safe base64 (22 characters).
    static func generatedQueueName() -> String {
        var generator = SystemRandomNumberGenerator()
        let high = generator.next() as UInt64
        let low = generator.next() as UInt64
        var random = [UInt8](repeating: 0, count: 18)
        for index in 0..<8 {
            random[index] = UInt8(truncatingIfNeeded: high >> (8 * index))
            random[8 + index] = UInt8(truncatingIfNeeded: low >> (8 * index))
        }
        var bytes: [UInt8] = Array("amq.gen-".utf8)
        bytes.reserveCapacity(8 + 24)
        // Groups of 3 bytes → 4 characters; the two padding bytes only feed the dropped tail.
        for group in stride(from: 0, to: 18, by: 3) {
            let value = UInt32(random[group]) << 16 | UInt32(random[group + 1]) << 8 | UInt32(random[group + 2])
            for shift in [18, 12, 6, 0] { bytes.append(base64URL[Int((value >> UInt32(shift)) & 0x3F)]) }
        }
        return String(decoding: bytes[..<(8 + 22)], as: UTF8.self)
    }

    func subscribe(_ subscription: Subscription) throws(RoutingError) {
        try core.subscribe(subscription, now: Self.epochMilliseconds(), deliver: deliverToConnection)
    }

    /// Remembers that `handler` has unflushed writes.
    func markNeedsFlush(_ handler: BrokerConnectionHandler) {
        needsFlush.append(handler)
    }

    /// Flushes every connection written to since the last call, once each.
    func flushPending() {
        guard !needsFlush.isEmpty else { return }
        let handlers = needsFlush
        needsFlush.removeAll(keepingCapacity: true)
        for handler in handlers { handler.flushIfNeeded() }
    }

    func publishStats() {
        let routing = core.counters
        var snapshot = connectionCounters
        snapshot.subscriptions = routing.subscriptions
        snapshot.topicMessagesIn = routing.topicMessagesIn
        snapshot.queueMessagesIn = routing.queueMessagesIn
        snapshot.topicMessagesOut = routing.topicMessagesOut
        snapshot.queueMessagesOut = routing.queueMessagesOut
        snapshot.exchangeMessagesIn = routing.exchangeMessagesIn
        snapshot.exchangeMessagesOut = routing.exchangeMessagesOut
        snapshot.unrouted = routing.unrouted
        snapshot.dropped = routing.queueOverflowDrops + slowConsumerDrops
        snapshot.expired = routing.expired
        snapshot.bufferedMessages = routing.bufferedMessages
        snapshot.subscriptionLimitExceeded = routing.subscriptionLimitExceeded
        snapshot.unackedMessagesCurrent = routing.unackedMessagesCurrent
        snapshot.messagesAcknowledged = routing.messagesAcknowledged
        snapshot.messagesNegativelyAcknowledged = routing.messagesNegativelyAcknowledged
        snapshot.messagesRedelivered = routing.messagesRedelivered
        snapshot.unackedMessagesDiscarded = routing.unackedMessagesDiscarded
        snapshot.unackedLimitDrops = routing.unackedLimitDrops
        stats.publish(snapshot)
    }

    // MARK: Lifecycle

    /// Starts the periodic sweep of expired buffered messages.
    func startSweeping(every interval: TimeAmount) {
        let bound = NIOLoopBound(self, eventLoop: eventLoop)
        sweepTask = eventLoop.scheduleRepeatedTask(initialDelay: interval, delay: interval) { _ in
            let router = bound.value
            router.core.sweep(now: Self.epochMilliseconds())
            router.publishStats()
        }
    }

    /// Closes every connection; the future completes when all are closed.
    ///
    /// With a `grace` period (shutdown): nothing more is routed, and each connection gets up to
    /// `grace` to have the frames already queued for it written before it is closed. What is not
    /// persisted anywhere (unacknowledged, buffered and in-transaction messages) is logged first,
    /// and connections that could not finish writing in time afterwards.
    func closeAll(grace: TimeAmount = .zero) -> EventLoopFuture<Void> {
        sweepTask?.cancel()
        sweepTask = nil
        let handlers = Array(connections.values)
        guard grace > .zero else {
            return EventLoopFuture.andAllComplete(handlers.map { $0.close() }, on: eventLoop)
        }
        let routing = core.counters
        logger.info(
            "shutting down \(handlers.count) connection(s): \(routing.unackedMessagesCurrent) message(s) delivered but not acknowledged, \(routing.bufferedMessages) buffered in queues, \(connectionCounters.transactionsOpenCurrent) open transaction(s); they are not persisted and will be lost; waiting up to \(grace.nanoseconds / 1_000_000) ms for queued frames to be written")
        let closing = handlers.map { $0.closeAfterWriting(within: grace) }
        let logger = self.logger
        return EventLoopFuture.whenAllSucceed(closing, on: eventLoop).map { flushed in
            let late = flushed.filter { !$0 }.count
            if late > 0 {
                logger.warning(
                    "\(late) connection(s) had frames still unwritten after shutdown.grace_ms (\(grace.nanoseconds / 1_000_000) ms) and were closed anyway")
            }
        }
    }
}
