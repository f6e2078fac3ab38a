import Foundation

/// The broker's counters, readable from any thread.
///
/// The event loop that owns the routing core keeps the live values and publishes a
/// ``Snapshot`` here after each batch of work (one lock per batch, not per message).
public final class BrokerStats: @unchecked Sendable {  // `value` is only touched under `lock`
    /// The counters at one moment.
    ///
    /// Every stored integer property appears by itself in the statistics endpoint's `/stats`
    /// and `/metrics` and in `chorus broker stats` (``StatsField``, by reflection): a counter
    /// unless its name ends in `Current`, filed in a section its name suggests. Give a new
    /// gauge, or a better help text, a line in ``StatsField/known``.
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
        /// Operations the access control (`acl.` lines) refused with ERROR `access_refused`.
        public var authorizationDenials = 0
        /// Of those, SUBSCRIBEs without read permission.
        public var authorizationReadDenials = 0
        /// Of those, SENDs without write permission.
        public var authorizationWriteDenials = 0
        /// Of those, SUBSCRIBEs, SENDs and `reply-to:/temp-queue/…` that would have created a
        /// destination without create permission.
        public var authorizationCreateDenials = 0
        /// Connections refused with an ERROR because `limits.max_connections` were open.
        public var connectionLimitExceeded = 0
        /// SUBSCRIBEs (and temp-queue reply queues) refused with an ERROR because the connection
        /// held `limits.max_subscriptions_per_connection` subscriptions.
        public var subscriptionLimitExceeded = 0
        /// Messages delivered to client-acknowledged subscriptions and not yet ACKed or NACKed.
        public var unackedMessagesCurrent = 0
        /// Messages settled by ACK (a cumulative `client` ACK counts each message it settles).
        public var messagesAcknowledged = 0
        /// Messages settled by NACK.
        public var messagesNegativelyAcknowledged = 0
        /// Deliveries marked `redelivered:true` (queue messages given back by a NACK or by a
        /// consumer that unsubscribed or disconnected; exchange copies NACKed).
        public var messagesRedelivered = 0
        /// Unacknowledged topic and exchange copies discarded: their subscription ended, a NACK
        /// on a topic subscription, or a NACK with `requeue:false`.
        public var unackedMessagesDiscarded = 0
        /// Topic and exchange copies not delivered because the subscription already had
        /// `limits.max_unacked` messages waiting for an ACK.
        public var unackedLimitDrops = 0
        /// Transactions open now (BEGIN without COMMIT or ABORT yet).
        public var transactionsOpenCurrent = 0
        /// Transactions committed.
        public var transactionsCommitted = 0
        /// Transactions aborted, by ABORT or because their connection closed.
        public var transactionsAborted = 0
        /// BEGINs refused with an ERROR because `limits.max_transactions_per_connection` were open.
        public var transactionLimitExceeded = 0
        /// Frames refused with an ERROR because their transaction held
        /// `limits.max_frames_per_transaction` frames.
        public var transactionFrameLimitExceeded = 0

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
