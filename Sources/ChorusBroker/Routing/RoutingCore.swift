import NIOCore

/// The broker's routing state, knowing nothing of sockets: subscriptions per destination,
/// exchanges and their bindings, queue buffers, private reply queues, selectors and expiry.
/// Every operation reports deliveries through a non-escaping `deliver` callback, so routing a
/// message allocates nothing here.
///
/// Semantics:
/// - Topic (`/topic/NAME`): each message goes to every subscription of exactly that name whose
///   selector selects it; with none it is counted as unrouted and discarded.
/// - Queue (`/queue/NAME`, `/amq/queue/NAME`): each message goes to exactly one selecting
///   consumer, chosen round robin. While none selects it, it waits in the queue's buffer (at most
///   `queueDepth` messages; when full the oldest is dropped and counted). A new SUBSCRIBE drains
///   the buffer in order.
/// - Exchange (`/exchange/NAME[/KEY]`, RabbitMQ): only exchanges declared up front exist; using
///   another is ``RoutingError/exchangeNotFound(_:)``. A SUBSCRIBE is a private queue bound with
///   its key (or the type's default, see ``ExchangeType/defaultBindingKey``); a SEND is
///   delivered at once to every subscription whose binding matches the routing key (direct:
///   equal; topic: ``TopicPattern``; fanout: all), or counted as unrouted.
/// - Private reply queues (RabbitMQ's `/temp-queue/`): ``temporaryQueue(_:for:escapesHeaders:generateName:)``
///   creates one per connection and temp-queue name, subscribed for its owner with the id
///   `/temp-queue/NAME`; `/reply-queue/<generated>` reaches it, and nobody else may subscribe
///   to it. It disappears with its owner's subscription (at disconnect); later replies are unrouted.
/// - Expiry: a message whose deadline (see ``BrokerMessage/expires``) has passed when it is due
///   for delivery is dropped and counted. ``sweep(now:)`` also drops expired buffered messages
///   and forgets idle queues.
///
/// Not thread-safe: the server keeps it on one event loop.
public struct RoutingCore {
    /// Most messages buffered per queue.
    public let queueDepth: Int
    /// What has happened so far.
    public private(set) var counters = RoutingCounters()

    private var topics: [String: [SubscriptionRef: Subscription]] = [:]
    private var queues: [String: QueueState] = [:]
    private var exchanges: [String: ExchangeState]
    private var byConnection: [ConnectionID: [String: Subscription]] = [:]
    /// Private reply queue name → owning connection.
    private var privateQueues: [String: ConnectionID] = [:]
    /// Per connection: temp-queue name → private reply queue name.
    private var temporaryQueues: [ConnectionID: [String: String]] = [:]

    /// - Parameters:
    ///   - queueDepth: most messages buffered per queue (at least 1).
    ///   - exchanges: the declared exchanges, name → type.
    public init(queueDepth: Int = 1000, exchanges: [String: ExchangeType] = [:]) {
        self.queueDepth = max(1, queueDepth)
        self.exchanges = exchanges.mapValues { ExchangeState(type: $0) }
    }

    /// The type of the exchange declared as `name`, if any.
    public func exchangeType(named name: String) -> ExchangeType? {
        exchanges[name]?.type
    }

    // MARK: Subscriptions

    /// Registers `subscription`; buffered queue messages it selects are delivered at once.
    /// - Throws: ``RoutingError/duplicateSubscription(_:)`` if its key is taken on its connection,
    ///   ``RoutingError/exchangeNotFound(_:)`` for an undeclared exchange,
    ///   ``RoutingError/queueLocked(_:)`` for another connection's private queue,
    ///   ``RoutingError/invalidDestination(_:)`` for `/temp-queue/` and `/reply-queue/`.
    public mutating func subscribe(
        _ subscription: Subscription, now: Int64, deliver: (Subscription, BrokerMessage) -> Void
    ) throws(RoutingError) {
        let key = subscription.key
        let destination = subscription.destination
        switch destination.kind {
        case .temporaryQueue, .replyQueue:
            throw .invalidDestination(destination.path)
        case .exchange:
            guard exchanges[destination.name] != nil else { throw .exchangeNotFound(destination.name) }
        case .queue:
            if privateQueues[destination.name] != nil { throw .queueLocked(destination.name) }
        case .topic:
            break
        }
        if byConnection[subscription.connection]?[key] != nil {
            throw .duplicateSubscription(key)
        }
        byConnection[subscription.connection, default: [:]][key] = subscription
        counters.subscriptions += 1
        let name = destination.name
        switch destination.kind {
        case .topic:
            topics[name, default: [:]][SubscriptionRef(subscription)] = subscription
        case .exchange:
            exchanges[name]?.bind(subscription)
        case .queue, .temporaryQueue, .replyQueue:
            queues[name, default: QueueState()].consumers.append(subscription)
            drain(queue: name, now: now, deliver: deliver)
        }
    }

    /// The private reply queue of `connection` for the temp-queue `name` (the part after
    /// `/temp-queue/`), created and subscribed on first use. Its subscription has the id
    /// `/temp-queue/<name>`, so its MESSAGE frames carry `subscription:/temp-queue/<name>`.
    /// - Parameters:
    ///   - escapesHeaders: whether the connection negotiated STOMP 1.1+.
    ///   - generateName: makes a fresh queue name (asked again if a name is taken).
    /// - Returns: the queue's name, for `reply-to:/reply-queue/<name>`.
    /// - Throws: ``RoutingError/duplicateSubscription(_:)`` if the connection already holds a
    ///   subscription with the id `/temp-queue/<name>`.
    public mutating func temporaryQueue(
        _ name: String, for connection: ConnectionID, escapesHeaders: Bool, generateName: () -> String
    ) throws(RoutingError) -> String {
        if let existing = temporaryQueues[connection]?[name] { return existing }
        let id = "/temp-queue/" + name
        if byConnection[connection]?[id] != nil { throw .duplicateSubscription(id) }
        var queueName = generateName()
        var attempts = 1
        while privateQueues[queueName] != nil || queues[queueName] != nil {
            guard attempts < 16 else { throw .duplicateSubscription(id) }
            queueName = generateName()
            attempts += 1
        }
        let subscription = Subscription(
            connection: connection, id: id, destination: Destination(queueNamed: queueName), selector: nil,
            escapesHeaders: escapesHeaders)
        privateQueues[queueName] = connection
        temporaryQueues[connection, default: [:]][name] = queueName
        byConnection[connection, default: [:]][id] = subscription
        counters.subscriptions += 1
        queues[queueName] = QueueState(consumers: [subscription])
        return queueName
    }

    /// The connection owning the private reply queue `name`, if it exists.
    public func privateQueueOwner(_ name: String) -> ConnectionID? {
        privateQueues[name]
    }

    /// Removes a subscription of `connection`: by `id` when given, otherwise every subscription
    /// of that connection on `destination`. Returns whether anything was removed. The reply
    /// subscriptions of private queues cannot be cancelled (as on RabbitMQ); they end with the
    /// connection.
    @discardableResult
    public mutating func unsubscribe(connection: ConnectionID, id: String?, destination: String?) -> Bool {
        guard let subscriptions = byConnection[connection] else { return false }
        var removed: [Subscription] = []
        if let id {
            if let subscription = subscriptions[id], !isPrivateReply(subscription) { removed.append(subscription) }
        } else if let destination {
            removed = subscriptions.values.filter { $0.destination.path == destination && !isPrivateReply($0) }
        }
        for subscription in removed { remove(subscription) }
        return !removed.isEmpty
    }

    /// Removes every subscription of `connection` (it closed), and its private reply queues.
    public mutating func removeConnection(_ connection: ConnectionID) {
        guard let subscriptions = byConnection[connection] else { return }
        for subscription in subscriptions.values { remove(subscription) }
        byConnection[connection] = nil
        temporaryQueues[connection] = nil
    }

    /// The subscriptions `connection` holds, keyed by id (or destination for id-less ones).
    public func subscriptions(of connection: ConnectionID) -> [String: Subscription] {
        byConnection[connection] ?? [:]
    }

    private func isPrivateReply(_ subscription: Subscription) -> Bool {
        subscription.destination.kind == .queue && privateQueues[subscription.destination.name] == subscription.connection
    }

    private mutating func remove(_ subscription: Subscription) {
        let key = subscription.key
        let connection = subscription.connection
        guard byConnection[connection]?.removeValue(forKey: key) != nil else { return }
        if byConnection[connection]?.isEmpty == true { byConnection[connection] = nil }
        counters.subscriptions -= 1
        let name = subscription.destination.name
        switch subscription.destination.kind {
        case .topic:
            topics[name]?[SubscriptionRef(subscription)] = nil
            if topics[name]?.isEmpty == true { topics[name] = nil }
        case .exchange:
            exchanges[name]?.unbind(subscription)
        case .queue, .temporaryQueue, .replyQueue:
            guard var queue = queues.removeValue(forKey: name) else { return }
            if privateQueues[name] == connection {
                // The owner's reply subscription went: the private queue goes with it.
                privateQueues[name] = nil
                if let temporary = temporaryQueues[connection]?.first(where: { $0.value == name })?.key {
                    temporaryQueues[connection]?[temporary] = nil
                    if temporaryQueues[connection]?.isEmpty == true { temporaryQueues[connection] = nil }
                }
                counters.bufferedMessages -= queue.pending.count
                return
            }
            if let index = queue.consumers.firstIndex(where: { $0.connection == connection && $0.key == key }) {
                queue.consumers.remove(at: index)
                if queue.cursor > index { queue.cursor -= 1 }
            }
            if !queue.isIdle { queues[name] = queue }
        }
    }

    // MARK: Messages

    /// Routes one message sent at `now` (epoch ms).
    /// - Throws: ``RoutingError/exchangeNotFound(_:)`` for an undeclared exchange (nothing is
    ///   counted), ``RoutingError/invalidDestination(_:)`` for a `/temp-queue/` destination.
    public mutating func publish(
        _ message: BrokerMessage, now: Int64, deliver: (Subscription, BrokerMessage) -> Void
    ) throws(RoutingError) {
        let destination = message.destination
        let name = destination.name
        switch destination.kind {
        case .temporaryQueue:
            throw .invalidDestination(destination.path)
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
        case .exchange:
            guard let exchange = exchanges[name] else { throw .exchangeNotFound(name) }
            counters.exchangeMessagesIn += 1
            if message.isExpired(now: now) {
                counters.expired += 1
                return
            }
            var delivered = 0
            exchange.forEachMatch(routingKey: destination.routingKey ?? "") { subscription in
                guard subscription.selects(message) else { return }
                deliver(subscription, message)
                delivered += 1
            }
            counters.exchangeMessagesOut += delivered
            if delivered == 0 { counters.unrouted += 1 }
        case .replyQueue:
            counters.queueMessagesIn += 1
            guard privateQueues[name] != nil else {
                // RabbitMQ drops what is published to a queue that no longer exists.
                counters.unrouted += 1
                return
            }
            enqueue(message, queue: name, now: now, deliver: deliver)
        case .queue:
            counters.queueMessagesIn += 1
            enqueue(message, queue: name, now: now, deliver: deliver)
        }
    }

    private mutating func enqueue(
        _ message: BrokerMessage, queue name: String, now: Int64, deliver: (Subscription, BrokerMessage) -> Void
    ) {
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

    /// Number of subscriptions bound to the exchange `name`.
    public func bindingCount(exchange name: String) -> Int {
        exchanges[name]?.bindingCount ?? 0
    }
}
