import NIOCore

/// The broker's routing state, knowing nothing of sockets: subscriptions per destination,
/// queue buffers, selectors and expiry. Every operation reports deliveries through a
/// non-escaping `deliver` callback, so routing a message allocates nothing here.
///
/// Semantics:
/// - Topic: each message goes to every subscription whose selector selects it; with none it is
///   counted as unrouted and discarded.
/// - Queue: each message goes to exactly one selecting consumer, chosen round robin. While none
///   selects it, it waits in the queue's buffer (at most `queueDepth` messages; when full the
///   oldest is dropped and counted). A new SUBSCRIBE drains the buffer in order.
/// - Expiry: a message whose `expires` (epoch ms, 0 = never) is not in the future when it is
///   due for delivery is dropped and counted. ``sweep(now:)`` also drops expired buffered
///   messages and forgets idle queues.
///
/// Not thread-safe: the server keeps it on one event loop.
public struct RoutingCore {
    /// Most messages buffered per queue.
    public let queueDepth: Int
    /// What has happened so far.
    public private(set) var counters = RoutingCounters()

    private struct TopicKey: Hashable {
        let connection: ConnectionID
        let key: String
    }

    private var topics: [String: [TopicKey: Subscription]] = [:]
    private var queues: [String: QueueState] = [:]
    private var byConnection: [ConnectionID: [String: Subscription]] = [:]

    /// - Parameter queueDepth: most messages buffered per queue (at least 1).
    public init(queueDepth: Int = 1000) {
        self.queueDepth = max(1, queueDepth)
    }

    // MARK: Subscriptions

    /// Registers `subscription`; buffered queue messages it selects are delivered at once.
    /// - Throws: ``RoutingError/duplicateSubscription(_:)`` if its key is taken on its connection.
    public mutating func subscribe(
        _ subscription: Subscription, now: Int64, deliver: (Subscription, BrokerMessage) -> Void
    ) throws(RoutingError) {
        let key = subscription.key
        if byConnection[subscription.connection]?[key] != nil {
            throw .duplicateSubscription(key)
        }
        byConnection[subscription.connection, default: [:]][key] = subscription
        counters.subscriptions += 1
        let name = subscription.destination.name
        switch subscription.destination.kind {
        case .topic:
            topics[name, default: [:]][TopicKey(connection: subscription.connection, key: key)] = subscription
        case .queue:
            queues[name, default: QueueState()].consumers.append(subscription)
            drain(queue: name, now: now, deliver: deliver)
        }
    }

    /// Removes a subscription of `connection`: by `id` when given, otherwise every subscription
    /// of that connection on `destination`. Returns whether anything was removed.
    @discardableResult
    public mutating func unsubscribe(connection: ConnectionID, id: String?, destination: String?) -> Bool {
        guard let subscriptions = byConnection[connection] else { return false }
        var removed: [Subscription] = []
        if let id {
            if let subscription = subscriptions[id] { removed.append(subscription) }
        } else if let destination {
            removed = subscriptions.values.filter { $0.destination.path == destination }
        }
        for subscription in removed { remove(subscription) }
        return !removed.isEmpty
    }

    /// Removes every subscription of `connection` (it closed).
    public mutating func removeConnection(_ connection: ConnectionID) {
        guard let subscriptions = byConnection[connection] else { return }
        for subscription in subscriptions.values { remove(subscription) }
        byConnection[connection] = nil
    }

    /// The subscriptions `connection` holds, keyed by id (or destination for id-less ones).
    public func subscriptions(of connection: ConnectionID) -> [String: Subscription] {
        byConnection[connection] ?? [:]
    }

    private mutating func remove(_ subscription: Subscription) {
        let key = subscription.key
        guard byConnection[subscription.connection]?.removeValue(forKey: key) != nil else { return }
        if byConnection[subscription.connection]?.isEmpty == true { byConnection[subscription.connection] = nil }
        counters.subscriptions -= 1
        let name = subscription.destination.name
        switch subscription.destination.kind {
        case .topic:
            topics[name]?[TopicKey(connection: subscription.connection, key: key)] = nil
            if topics[name]?.isEmpty == true { topics[name] = nil }
        case .queue:
            guard var queue = queues.removeValue(forKey: name) else { return }
            if let index = queue.consumers.firstIndex(where: { $0.connection == subscription.connection && $0.key == key }) {
                queue.consumers.remove(at: index)
                if queue.cursor > index { queue.cursor -= 1 }
            }
            if !queue.isIdle { queues[name] = queue }
        }
    }

    // MARK: Messages

    /// Routes one message sent at `now` (epoch ms).
    public mutating func publish(_ message: BrokerMessage, now: Int64, deliver: (Subscription, BrokerMessage) -> Void) {
        let name = message.destination.name
        switch message.destination.kind {
        case .topic:
            counters.topicMessagesIn += 1
            if message.isExpired(now: now) {
                counters.expired += 1
                return
            }
            var delivered = 0
            if let subscribers = topics[name] {
                for subscription in subscribers.values where subscription.selects(message) {
                    deliver(subscription, message)
                    delivered += 1
                }
            }
            counters.topicMessagesOut += delivered
            if delivered == 0 { counters.unrouted += 1 }
        case .queue:
            counters.queueMessagesIn += 1
            if message.isExpired(now: now) {
                counters.expired += 1
                return
            }
            var queue = queues.removeValue(forKey: name) ?? QueueState()
            if let consumer = queue.nextConsumer(for: message) {
                deliver(consumer, message)
                counters.queueMessagesOut += 1
            } else {
                if queue.pending.count >= queueDepth {
                    queue.pending.removeFirst()
                    counters.queueOverflowDrops += 1
                    counters.bufferedMessages -= 1
                }
                queue.pending.append(message)
                counters.bufferedMessages += 1
            }
            queues[name] = queue
        }
    }

    /// Delivers the buffered messages of `queue` that a consumer now selects, in order.
    private mutating func drain(queue name: String, now: Int64, deliver: (Subscription, BrokerMessage) -> Void) {
        guard var queue = queues.removeValue(forKey: name) else { return }
        defer { queues[name] = queue }
        guard !queue.pending.isEmpty else { return }
        var kept = CircularBuffer<BrokerMessage>(initialCapacity: queue.pending.count)
        while let message = queue.pending.popFirst() {
            counters.bufferedMessages -= 1
            if message.isExpired(now: now) {
                counters.expired += 1
            } else if let consumer = queue.nextConsumer(for: message) {
                deliver(consumer, message)
                counters.queueMessagesOut += 1
            } else {
                kept.append(message)
                counters.bufferedMessages += 1
            }
        }
        queue.pending = kept
    }

    /// Drops expired buffered messages and forgets queues with neither consumers nor messages.
    /// Call it now and then (the server does every few seconds) so abandoned reply queues do
    /// not hold memory.
    public mutating func sweep(now: Int64) {
        for name in Array(queues.keys) {
            guard var queue = queues.removeValue(forKey: name) else { continue }
            if !queue.pending.isEmpty {
                let before = queue.pending.count
                var kept = CircularBuffer<BrokerMessage>(initialCapacity: before)
                for message in queue.pending where !message.isExpired(now: now) { kept.append(message) }
                let dropped = before - kept.count
                counters.expired += dropped
                counters.bufferedMessages -= dropped
                queue.pending = kept
            }
            if !queue.isIdle { queues[name] = queue }
        }
    }

    /// Number of messages waiting in `queue` (by name without `/queue/`).
    public func bufferedCount(queue name: String) -> Int {
        queues[name]?.pending.count ?? 0
    }
}
