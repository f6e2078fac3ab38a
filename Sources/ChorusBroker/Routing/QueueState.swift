import NIOCore

/// One queue: its consumers in subscription order, the round-robin cursor, and the bounded
/// buffer of messages no consumer has taken yet (unselected, or every selecting consumer at its
/// unacknowledged limit; redelivered messages go back to its head).
struct QueueState {
    var consumers: [Subscription] = []
    var cursor = 0
    var pending = CircularBuffer<BrokerMessage>()

    var isIdle: Bool { consumers.isEmpty && pending.isEmpty }

    /// The next consumer, round robin from the cursor, whose selector selects `message` and that
    /// `canTake` it (a client-acknowledged consumer below its unacknowledged limit); the cursor
    /// moves past it.
    mutating func nextConsumer(for message: BrokerMessage, canTake: (Subscription) -> Bool) -> Subscription? {
        let count = consumers.count
        guard count > 0 else { return nil }
        if cursor >= count { cursor = 0 }
        for step in 0..<count {
            let index = (cursor + step) % count
            if consumers[index].selects(message), consumers[index].ackMode == .auto || canTake(consumers[index]) {
                cursor = (index + 1) % count
                return consumers[index]
            }
        }
        return nil
    }
}
