/// ACK, NACK and the bookkeeping of client-acknowledged subscriptions (see ``RoutingCore``,
/// Acknowledgements).
extension RoutingCore {
    /// Hands `message` to `subscription`: an auto subscription's delivery is done at once; a
    /// client-acknowledged one goes through ``deliverAwaitingAck(_:to:deliver:)``. Counts
    /// redeliveries. (Routing a fresh message takes the auto path inline instead: it cannot be
    /// a redelivery.)
    @discardableResult
    mutating func dispatch(_ message: BrokerMessage, to subscription: Subscription, deliver: Deliver) -> Bool {
        if message.redelivered { counters.messagesRedelivered += 1 }
        guard subscription.ackMode.needsAcknowledgement else {
            _ = deliver(subscription, message, .auto)
            return true
        }
        return deliverAwaitingAck(message, to: subscription, deliver: deliver)
    }

    /// Delivers `message` to a client-acknowledged `subscription` with the next
    /// ``DeliveryTag``; it then waits in the subscription's ``UnackedMessages`` (when `deliver`
    /// wrote it). Returns `false`, and counts the drop, when the subscription already has
    /// ``maxUnacked`` messages waiting.
    mutating func deliverAwaitingAck(_ message: BrokerMessage, to subscription: Subscription, deliver: Deliver) -> Bool {
        let ref = SubscriptionRef(subscription)
        guard (unacked[ref]?.count ?? 0) < maxUnacked else {
            counters.unackedLimitDrops += 1
            return false
        }
        lastDeliveryTag += 1
        let tag = DeliveryTag(lastDeliveryTag)
        if deliver(subscription, message, tag) {
            unacked[ref, default: UnackedMessages()].append(tag, message)
            counters.unackedMessagesCurrent += 1
        }
        return true
    }

    /// Whether a queue may give `consumer` another message: it is below ``maxUnacked``.
    func canTake(_ consumer: Subscription) -> Bool {
        (unacked[SubscriptionRef(consumer)]?.count ?? 0) < maxUnacked
    }

    /// Whether `reference` names a message waiting for an acknowledgement on `connection`.
    public func isUnacknowledged(_ reference: AckReference, connection: ConnectionID) -> Bool {
        locate(reference, connection: connection) != nil
    }

    /// The number of messages waiting for an acknowledgement on `connection`.
    public func unacknowledgedCount(of connection: ConnectionID) -> Int {
        guard let subscriptions = byConnection[connection] else { return 0 }
        return subscriptions.values.reduce(0) { $0 + (unacked[SubscriptionRef($1)]?.count ?? 0) }
    }

    /// ACK: settles the message `reference` names on `connection` (and, for an
    /// ``AckMode/client`` subscription, every older one waiting on it). A queue consumer that
    /// was at its limit takes buffered messages again.
    /// - Returns: how many messages were settled; nil when `reference` names none waiting
    ///   (never delivered, already settled, or delivered to an auto subscription).
    @discardableResult
    public mutating func acknowledge(
        _ reference: AckReference, connection: ConnectionID, now: Int64, deliver: Deliver
    ) -> Int? {
        guard let (subscription, settled) = settle(reference, connection: connection) else { return nil }
        counters.messagesAcknowledged += settled.count
        if subscription.destination.kind == .queue {
            drain(queue: subscription.destination.name, now: now, deliver: deliver)
        }
        return settled.count
    }

    /// NACK: settles like ``acknowledge(_:connection:now:deliver:)`` and, with `requeue`, gives
    /// the messages back: a queue's go to the head of the queue, in order, and on to the next
    /// consumer that can take them (perhaps the same one); an exchange subscription's are
    /// delivered to it again (as RabbitMQ requeues to its private queue); a topic
    /// subscription's are discarded (ActiveMQ would move persistent ones to its dead-letter
    /// queue; this broker keeps none). Without `requeue` every kind discards them. Redelivered
    /// messages carry `redelivered:true`.
    /// - Returns: how many messages were settled; nil when `reference` names none waiting.
    @discardableResult
    public mutating func reject(
        _ reference: AckReference, connection: ConnectionID, requeue: Bool, now: Int64, deliver: Deliver
    ) -> Int? {
        guard let (subscription, settled) = settle(reference, connection: connection) else { return nil }
        counters.messagesNegativelyAcknowledged += settled.count
        let destination = subscription.destination
        switch destination.kind {
        case .queue where requeue:
            self.requeue(settled, queue: destination.name, now: now, deliver: deliver)
        case .exchange where requeue:
            for message in settled {
                message.markRedelivered()
                if dispatch(message, to: subscription, deliver: deliver) { counters.exchangeMessagesOut += 1 }
            }
        case .queue:
            counters.unackedMessagesDiscarded += settled.count
            drain(queue: destination.name, now: now, deliver: deliver)
        default:
            counters.unackedMessagesDiscarded += settled.count
        }
        return settled.count
    }

    /// Gives back what `subscription` (ended) had not acknowledged: queue messages to the head
    /// of their queue, topic and exchange copies discarded.
    mutating func releaseUnacked(of subscription: Subscription, now: Int64, deliver: Deliver) {
        guard subscription.ackMode.needsAcknowledgement,
            let waiting = unacked.removeValue(forKey: SubscriptionRef(subscription))
        else { return }
        let messages = waiting.messages
        guard !messages.isEmpty else { return }
        counters.unackedMessagesCurrent -= messages.count
        if subscription.destination.kind == .queue {
            requeue(messages, queue: subscription.destination.name, now: now, deliver: deliver)
        } else {
            counters.unackedMessagesDiscarded += messages.count
        }
    }

    /// Puts `messages` (oldest first) back at the head of `queue`, marked redelivered, delivers
    /// what consumers can take, and trims the buffer to ``queueDepth`` (oldest dropped, counted).
    private mutating func requeue(_ messages: [BrokerMessage], queue name: String, now: Int64, deliver: Deliver) {
        var queue = queues.removeValue(forKey: name) ?? QueueState()
        for message in messages.reversed() {
            message.markRedelivered()
            queue.pending.prepend(message)
        }
        counters.bufferedMessages += messages.count
        queues[name] = queue
        drain(queue: name, now: now, deliver: deliver)
        guard var drained = queues.removeValue(forKey: name) else { return }
        while drained.pending.count > queueDepth {
            drained.pending.removeFirst()
            counters.queueOverflowDrops += 1
            counters.bufferedMessages -= 1
        }
        if !drained.isIdle { queues[name] = drained }
    }

    /// Removes what `reference` names from its subscription's waiting messages.
    private mutating func settle(
        _ reference: AckReference, connection: ConnectionID
    ) -> (subscription: Subscription, messages: [BrokerMessage])? {
        guard let (subscription, position) = locate(reference, connection: connection) else { return nil }
        let ref = SubscriptionRef(subscription)
        guard let settled = unacked[ref]?.settle(at: position, cumulative: subscription.ackMode == .client) else {
            return nil
        }
        counters.unackedMessagesCurrent -= settled.count
        return (subscription, settled)
    }

    /// The subscription of `connection` waiting for the message `reference` names, and where.
    private func locate(_ reference: AckReference, connection: ConnectionID) -> (Subscription, Int)? {
        guard let subscriptions = byConnection[connection] else { return nil }
        if case .messageID(_, let key?) = reference {
            guard let subscription = subscriptions[key],
                let position = unacked[SubscriptionRef(subscription)]?.position(of: reference)
            else { return nil }
            return (subscription, position)
        }
        for subscription in subscriptions.values where subscription.ackMode.needsAcknowledgement {
            if let position = unacked[SubscriptionRef(subscription)]?.position(of: reference) {
                return (subscription, position)
            }
        }
        return nil
    }
}
