/// A routing request the core refuses.
public enum RoutingError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The connection already has a subscription with this id (or, id-less, this destination).
    case duplicateSubscription(String)
    /// No exchange with this name is declared in the broker's configuration.
    case exchangeNotFound(String)
    /// The queue is another connection's private reply queue.
    case queueLocked(String)
    /// The destination (path given) cannot be used for this operation: `/temp-queue/` is only
    /// valid in `reply-to`, reply queues are subscribed to by the broker itself.
    case invalidDestination(String)
    /// The connection already holds this many subscriptions (`limits.max_subscriptions_per_connection`).
    case subscriptionLimit(Int)

    public var description: String {
        switch self {
        case .duplicateSubscription(let key): "a subscription '\(key)' already exists on this connection"
        case .exchangeNotFound(let name): "no exchange '\(name)' is declared"
        case .queueLocked(let name): "the queue '\(name)' is private to another connection"
        case .invalidDestination(let path): "'\(path)' cannot be used here"
        case .subscriptionLimit(let limit):
            "this connection already holds \(limit) subscriptions (limits.max_subscriptions_per_connection = \(limit))"
        }
    }
}
