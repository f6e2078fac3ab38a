/// What the routing core has done, counted. Plain values; the server publishes them in
/// ``BrokerStats``.
public struct RoutingCounters: Sendable, Equatable {
    /// SENDs accepted for topics.
    public var topicMessagesIn = 0
    /// SENDs accepted for queues.
    public var queueMessagesIn = 0
    /// MESSAGE deliveries from topics (one per receiving subscription).
    public var topicMessagesOut = 0
    /// MESSAGE deliveries from queues.
    public var queueMessagesOut = 0
    /// Topic messages no subscription selected.
    public var unrouted = 0
    /// Queue messages dropped because the queue's buffer was full (the oldest goes).
    public var queueOverflowDrops = 0
    /// Messages dropped because their `expires` time had passed when they were due for delivery.
    public var expired = 0
    /// Subscriptions currently registered.
    public var subscriptions = 0
    /// Messages currently buffered in queues.
    public var bufferedMessages = 0

    public init() {}
}
