@testable import ChorusBroker

/// The routing core's calls with a delivery callback that ignores delivery tags, for tests of
/// auto-acknowledged subscriptions (every delivery counts as written).
extension RoutingCore {
    mutating func subscribe(
        _ subscription: Subscription, now: Int64, deliver: (Subscription, BrokerMessage) -> Void
    ) throws(RoutingError) {
        try subscribe(subscription, now: now) { subscription, message, _ in
            deliver(subscription, message)
            return true
        }
    }

    mutating func publish(
        _ message: BrokerMessage, now: Int64, deliver: (Subscription, BrokerMessage) -> Void
    ) throws(RoutingError) {
        try publish(message, now: now) { subscription, message, _ in
            deliver(subscription, message)
            return true
        }
    }

    @discardableResult
    mutating func unsubscribe(connection: ConnectionID, id: String?, destination: String?) -> Bool {
        unsubscribe(connection: connection, id: id, destination: destination, now: 0) { _, _, _ in true }
    }

    mutating func removeConnection(_ connection: ConnectionID) {
        removeConnection(connection, now: 0) { _, _, _ in true }
    }
}
