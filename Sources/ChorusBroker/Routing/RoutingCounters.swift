/// What the routing core has done, counted. Plain values; the server publishes them in
/// ``BrokerStats``.
public struct RoutingCounters: Sendable, Equatable {
    /// SENDs accepted for topics.
    public var topicMessagesIn = 0
    /// SENDs accepted for queues.
    public var queueMessagesIn = 0
    /// SENDs accepted for declared exchanges.
    public var exchangeMessagesIn = 0
    /// MESSAGE deliveries from topics (one per receiving subscription).
    public var topicMessagesOut = 0
    /// MESSAGE deliveries from queues.
    public var queueMessagesOut = 0
    /// MESSAGE deliveries from exchanges (one per matching binding).
    public var exchangeMessagesOut = 0
    /// Topic and exchange messages no subscription selected, and replies to reply queues that
    /// no longer exist.
    public var unrouted = 0
    /// Queue messages dropped because the queue's buffer was full (the oldest goes).
    public var queueOverflowDrops = 0
    /// Messages dropped because their `expires` or `expiration` deadline had passed when they
    /// were due for delivery.
    public var expired = 0
    /// Subscriptions currently registered.
    public var subscriptions = 0
    /// Messages currently buffered in queues.
    public var bufferedMessages = 0
    /// Messages delivered to client-acknowledged subscriptions and not yet ACKed or NACKed.
    public var unackedMessagesCurrent = 0
    /// Messages settled by ACK (a cumulative ACK counts every message it settles).
    public var messagesAcknowledged = 0
    /// Messages settled by NACK.
    public var messagesNegativelyAcknowledged = 0
    /// Deliveries marked `redelivered:true`: queue messages given back by a NACK or by a
    /// consumer that unsubscribed or disconnected, and exchange copies NACKed.
    public var messagesRedelivered = 0
    /// Unacknowledged topic and exchange copies discarded (their subscription ended, or a NACK
    /// on a topic, or a NACK with `requeue:false`).
    public var unackedMessagesDiscarded = 0
    /// Topic and exchange copies not delivered because their subscription already had
    /// `maxUnacked` messages waiting for an acknowledgement.
    public var unackedLimitDrops = 0
    /// SUBSCRIBEs (and temp-queue reply queues) refused because the connection held
    /// `maxSubscriptionsPerConnection` subscriptions.
    public var subscriptionLimitExceeded = 0

    public init() {}
}
