import Foundation
import Logging
import NIOCore
import STOMP

/// The glue between the routing core and the connections, living on one event loop: it owns
/// the ``RoutingCore``, knows each connection's handler, batches flushes (a connection that got
/// deliveries while another connection's input was processed is flushed once, when that input
/// batch ends) and publishes ``BrokerStats``.
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
        self.core = RoutingCore(queueDepth: configuration.queueDepth)
        self.runID = "chorus-\(ProcessInfo.processInfo.processIdentifier)-\(Self.epochMilliseconds())"
    }

    /// Wall-clock time in epoch milliseconds, the unit of the `expires` header.
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

    func unregister(_ id: ConnectionID) {
        guard connections.removeValue(forKey: id) != nil else { return }
        core.removeConnection(id)
        connectionCounters.connectionsCurrent -= 1
        publishStats()
    }

    func nextMessageID() -> String {
        nextMessage += 1
        return "ID:\(runID)-\(nextMessage)"
    }

    // MARK: Routing

    func publish(_ message: BrokerMessage) {
        core.publish(message, now: Self.epochMilliseconds()) { subscription, message in
            connections[subscription.connection]?.deliver(subscription, message)
        }
    }

    func subscribe(_ subscription: Subscription) throws(RoutingError) {
        try core.subscribe(subscription, now: Self.epochMilliseconds()) { subscription, message in
            connections[subscription.connection]?.deliver(subscription, message)
        }
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
        snapshot.unrouted = routing.unrouted
        snapshot.dropped = routing.queueOverflowDrops + slowConsumerDrops
        snapshot.expired = routing.expired
        snapshot.bufferedMessages = routing.bufferedMessages
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
    func closeAll() -> EventLoopFuture<Void> {
        sweepTask?.cancel()
        sweepTask = nil
        let closing = connections.values.map { $0.close() }
        return EventLoopFuture.andAllComplete(closing, on: eventLoop)
    }
}
