import NIOCore

/// The broker's routing state, knowing nothing of sockets: subscriptions per destination,
/// exchanges and their bindings, queue buffers, private reply queues, selectors, expiry and the
/// messages client-acknowledged subscriptions have not acknowledged yet. Every operation reports
/// deliveries through a non-escaping ``Deliver`` callback, so routing a message allocates nothing
/// here (a client-acknowledged delivery adds one entry to its subscription's ``UnackedMessages``).
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
/// - Acknowledgements (``AckMode``): an auto subscription's deliveries are done when handed to
///   `deliver`. A client or client-individual subscription's deliveries get a ``DeliveryTag`` and
///   wait in its ``UnackedMessages`` until ``acknowledge(_:connection:now:deliver:)`` or
///   ``reject(_:connection:requeue:now:deliver:)`` settles them; at most `maxUnacked` wait per
///   subscription. A queue skips a consumer at that limit (the message goes to another one, or
///   waits in the buffer until an ACK makes room); a topic or exchange copy for it is dropped
///   and counted. What a subscription still holds when it ends goes back to the head of its
///   queue, in order, marked redelivered; topic and exchange copies are discarded.
/// - Expiry: a message whose deadline (see ``BrokerMessage/expires``) has passed when it is due
///   for delivery is dropped and counted. ``sweep(now:)`` also drops expired buffered messages
///   and forgets idle queues.
///
/// Not thread-safe: the server keeps it on one event loop.
public struct RoutingCore {
    /// Writes one MESSAGE of `message` for `subscription`, with `tag` for a client-acknowledged
    /// one (``DeliveryTag/auto`` otherwise). Returns whether it was written; `false` (dropped for
    /// a slow consumer, or the connection is closing) means no acknowledgement is awaited.
    public typealias Deliver = (_ subscription: Subscription, _ message: BrokerMessage, _ tag: DeliveryTag) -> Bool

    /// Most messages buffered per queue.
    public let queueDepth: Int
    /// Most unacknowledged messages per client-acknowledged subscription.
    public let maxUnacked: Int
    /// Most subscriptions one connection may hold, private reply queues included.
    public let maxSubscriptionsPerConnection: Int
    /// What has happened so far.
    public internal(set) var counters = RoutingCounters()

    private var topics: [String: [SubscriptionRef: Subscription]] = [:]
    var queues: [String: QueueState] = [:]
    private var exchanges: [String: ExchangeState]
    var byConnection: [ConnectionID: [String: Subscription]] = [:]
    /// Private reply queue name → owning connection.
    private var privateQueues: [String: ConnectionID] = [:]
    /// Per connection: temp-queue name → private reply queue name.
    private var temporaryQueues: [ConnectionID: [String: String]] = [:]
    /// What each client-acknowledged subscription has not acknowledged yet (auto subscriptions
    /// have no entry).
    var unacked: [SubscriptionRef: UnackedMessages] = [:]
    /// The last ``DeliveryTag`` handed out.
    var lastDeliveryTag: UInt64 = 0

    /// - Parameters:
    ///   - queueDepth: most messages buffered per queue (at least 1).
    ///   - exchanges: the declared exchanges, name → type.
    ///   - maxUnacked: most unacknowledged messages per client-acknowledged subscription (at least 1).
    ///   - maxSubscriptionsPerConnection: most subscriptions per connection (at least 1).
    public init(
        queueDepth: Int = 1000, exchanges: [String: ExchangeType] = [:], maxUnacked: Int = 1000,
        maxSubscriptionsPerConnection: Int = .max
    ) {
        self.queueDepth = max(1, queueDepth)
        self.exchanges = exchanges.mapValues { ExchangeState(type: $0) }
        self.maxUnacked = max(1, maxUnacked)
        self.maxSubscriptionsPerConnection = max(1, maxSubscriptionsPerConnection)
    }

    /// The type of the exchange declared as `name`, if any.
    public func exchangeType(named name: String) -> ExchangeType? {
        exchanges[name]?.type
    }

    // MARK: Subscriptions

    /// Registers `subscription`; buffered queue messages it selects are delivered at once.
    /// - Throws: ``RoutingError/duplicateSubscription(_:)`` if its key is taken on its connection,
    ///   ``RoutingError/subscriptionLimit(_:)`` if the connection holds
    ///   ``maxSubscriptionsPerConnection`` subscriptions,
    ///   ``RoutingError/exchangeNotFound(_:)`` for an undeclared exchange,
    ///   ``RoutingError/queueLocked(_:)`` for another connection's private queue,
    ///   ``RoutingError/invalidDestination(_:)`` for `/temp-queue/` and `/reply-queue/`.
    public mutating func subscribe(_ subscription: Subscription, now: Int64, deliver: Deliver) throws(RoutingError) {
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
        try checkSubscriptionLimit(subscription.connection)
        byConnection[subscription.connection, default: [:]][key] = subscription
        counters.subscriptions += 1
        if subscription.ackMode.needsAcknowledgement { unacked[SubscriptionRef(subscription)] = UnackedMessages() }
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

    private mutating func checkSubscriptionLimit(_ connection: ConnectionID) throws(RoutingError) {
        guard (byConnection[connection]?.count ?? 0) < maxSubscriptionsPerConnection else {
            counters.subscriptionLimitExceeded += 1
            throw .subscriptionLimit(maxSubscriptionsPerConnection)
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
    ///   subscription with the id `/temp-queue/<name>`; ``RoutingError/subscriptionLimit(_:)``
    ///   if it holds ``maxSubscriptionsPerConnection`` subscriptions.
    public mutating func temporaryQueue(
        _ name: String, for connection: ConnectionID, escapesHeaders: Bool, generateName: () -> String
    ) throws(RoutingError) -> String {
        if let existing = temporaryQueues[connection]?[name] { return existing }
        let id = "/temp-queue/" + name
        if byConnection[connection]?[id] != nil { throw .duplicateSubscription(id) }
        try checkSubscriptionLimit(connection)
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

    /// Whether `destination` exists now: a topic with a subscriber, a queue with a consumer or
    /// a buffered message, a declared exchange, a live private reply queue. (Access control asks
    /// it before letting a login without create permission bring one into existence.)
    public func exists(_ destination: Destination) -> Bool {
        switch destination.kind {
        case .topic: topics[destination.name] != nil
        case .queue: queues[destination.name] != nil
        case .exchange: exchanges[destination.name] != nil
        case .replyQueue: privateQueues[destination.name] != nil
        case .temporaryQueue: false
        }
    }

    /// Removes a subscription of `connection`: by `id` when given, otherwise every subscription
    /// of that connection on `destination`. Returns whether anything was removed. The reply
    /// subscriptions of private queues cannot be cancelled (as on RabbitMQ); they end with the
    /// connection. Unacknowledged queue messages of a removed subscription go back to the head
    /// of the queue (delivered at once to another consumer that can take them).
    @discardableResult
    public mutating func unsubscribe(
        connection: ConnectionID, id: String?, destination: String?, now: Int64, deliver: Deliver
    ) -> Bool {
        guard let subscriptions = byConnection[connection] else { return false }
        var removed: [Subscription] = []
        if let id {
            if let subscription = subscriptions[id], !isPrivateReply(subscription) { removed.append(subscription) }
        } else if let destination {
            removed = subscriptions.values.filter { $0.destination.path == destination && !isPrivateReply($0) }
        }
        // Every removed subscription leaves before any message is requeued, so none comes back to it.
        for subscription in removed { remove(subscription) }
        for subscription in removed { releaseUnacked(of: subscription, now: now, deliver: deliver) }
        return !removed.isEmpty
    }

    /// Removes every subscription of `connection` (it closed), and its private reply queues.
    /// Unacknowledged queue messages go back to their queues, as for ``unsubscribe(connection:id:destination:now:deliver:)``;
    /// deliveries to this connection are no longer offered.
    public mutating func removeConnection(_ connection: ConnectionID, now: Int64, deliver: Deliver) {
        guard let subscriptions = byConnection[connection] else { return }
        // Every subscription leaves before any message is requeued, so none comes back here.
        for subscription in subscriptions.values { remove(subscription) }
        for subscription in subscriptions.values { releaseUnacked(of: subscription, now: now, deliver: deliver) }
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

    /// Unregisters `subscription`; the caller then releases its unacknowledged messages
    /// (``releaseUnacked(of:now:deliver:)``).
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

    /// Routes one message sent at `now` (epoch ms). A fresh message is no redelivery, so auto
    /// subscriptions get it straight from the loops below, without the acknowledgement bookkeeping.
    /// - Throws: ``RoutingError/exchangeNotFound(_:)`` for an undeclared exchange (nothing is
    ///   counted), ``RoutingError/invalidDestination(_:)`` for a `/temp-queue/` destination.
    public mutating func publish(_ message: BrokerMessage, now: Int64, deliver: Deliver) throws(RoutingError) {
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
            var selected = 0
            if let subscribers = topics[name] {
                for subscription in subscribers.values where subscription.selects(message) {
                    selected += 1
                    if subscription.ackMode == .auto {
                        _ = deliver(subscription, message, .auto)
                        delivered += 1
                    } else if deliverAwaitingAck(message, to: subscription, deliver: deliver) {
                        delivered += 1
                    }
                }
            }
            counters.topicMessagesOut += delivered
            if selected == 0 { counters.unrouted += 1 }
        case .exchange:
            guard let exchange = exchanges[name] else { throw .exchangeNotFound(name) }
            counters.exchangeMessagesIn += 1
            if message.isExpired(now: now) {
                counters.expired += 1
                return
            }
            var delivered = 0
            var selected = 0
            exchange.forEachMatch(routingKey: destination.routingKey ?? "") { subscription in
                guard subscription.selects(message) else { return }
                selected += 1
                if subscription.ackMode == .auto {
                    _ = deliver(subscription, message, .auto)
                    delivered += 1
                } else if deliverAwaitingAck(message, to: subscription, deliver: deliver) {
                    delivered += 1
                }
            }
            counters.exchangeMessagesOut += delivered
            if selected == 0 { counters.unrouted += 1 }
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

    private mutating func enqueue(_ message: BrokerMessage, queue name: String, now: Int64, deliver: Deliver) {
        if message.isExpired(now: now) {
            counters.expired += 1
            return
        }
        var queue = queues.removeValue(forKey: name) ?? QueueState()
        if let consumer = queue.nextConsumer(for: message, canTake: { canTake($0) }) {
            if consumer.ackMode == .auto {
                _ = deliver(consumer, message, .auto)
            } else {
                _ = deliverAwaitingAck(message, to: consumer, deliver: deliver)
            }
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

    /// Delivers the buffered messages of `queue` that a consumer now selects and can take, in order.
    mutating func drain(queue name: String, now: Int64, deliver: Deliver) {
        guard var queue = queues.removeValue(forKey: name) else { return }
        defer { queues[name] = queue }
        guard !queue.pending.isEmpty else { return }
        var kept = CircularBuffer<BrokerMessage>(initialCapacity: queue.pending.count)
        while let message = queue.pending.popFirst() {
            counters.bufferedMessages -= 1
            if message.isExpired(now: now) {
                counters.expired += 1
            } else if let consumer = queue.nextConsumer(for: message, canTake: { canTake($0) }) {
                dispatch(message, to: consumer, deliver: deliver)
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
