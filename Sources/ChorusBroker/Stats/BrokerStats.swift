import Foundation

/// The broker's counters, readable from any thread.
///
/// The event loop that owns the routing core keeps the live values and publishes a
/// ``Snapshot`` here after each batch of work (one lock per batch, not per message).
public final class BrokerStats: @unchecked Sendable {  // `value` is only touched under `lock`
    /// The counters at one moment.
    public struct Snapshot: Sendable, Equatable {
        /// Open client connections.
        public var connectionsCurrent = 0
        /// Connections accepted since start.
        public var connectionsTotal = 0
        /// Current subscriptions.
        public var subscriptions = 0
        /// SENDs to topics / queues.
        public var topicMessagesIn = 0
        public var queueMessagesIn = 0
        /// SENDs to declared exchanges.
        public var exchangeMessagesIn = 0
        /// MESSAGE frames written for topic / queue deliveries.
        public var topicMessagesOut = 0
        public var queueMessagesOut = 0
        /// MESSAGE frames written for exchange deliveries.
        public var exchangeMessagesOut = 0
        /// Topic and exchange messages no subscription selected (and replies to vanished reply queues).
        public var unrouted = 0
        /// Messages dropped: queue buffer overflow plus slow-consumer overflow.
        public var dropped = 0
        /// Messages dropped because they had expired.
        public var expired = 0
        /// Messages waiting in queue buffers.
        public var bufferedMessages = 0
        /// CONNECTs refused for a bad login or passcode.
        public var authFailures = 0
        /// Connections closed with an ERROR frame for a protocol error.
        public var protocolErrors = 0
        /// Connections closed because the client stopped sending heart-beats.
        public var heartbeatTimeouts = 0
        /// Connections to a TLS listener refused before the TLS handshake completed: a client
        /// certificate that does not verify or is missing, no common protocol, plaintext, …
        public var tlsHandshakeFailures = 0
        /// Of those, connections that spoke plaintext to a TLS listener (answered with a
        /// plaintext STOMP ERROR frame that says so).
        public var tlsPlaintextRefused = 0

        public init() {}
    }

    private let lock = NSLock()
    private var value = Snapshot()

    public init() {}

    /// The latest published counters.
    public var snapshot: Snapshot { lock.withLock { value } }

    /// Replaces the published counters.
    public func publish(_ snapshot: Snapshot) {
        lock.withLock { value = snapshot }
    }
}
