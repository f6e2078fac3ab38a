/// A routing request the core refuses.
public enum RoutingError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The connection already has a subscription with this id (or, id-less, this destination).
    case duplicateSubscription(String)

    public var description: String {
        switch self {
        case .duplicateSubscription(let key): "a subscription '\(key)' already exists on this connection"
        }
    }
}
