import STOMP

/// How `chorus broker` runs, read from a `key = value` file in MCollective's style:
///
/// ```
/// # where to listen (repeatable; the first one replaces the default)
/// listen = 127.0.0.1:61613
/// listen = [::1]:61613
/// # accepted logins; none configured = accept any login
/// user.mcollective = marionette
/// user.alice = secret
/// # groups of users, and who may read, write and create which destinations (AccessPolicy)
/// group.nodes = mcollective
/// group.clients = alice
/// acl./topic/mcollective.*.agent = read, create: nodes; write: clients
/// # heart-beats (ms): the fastest the broker sends, the fastest it wants to hear; 0 = off
/// heartbeat.send_ms = 5000
/// heartbeat.receive_ms = 5000
/// limits.max_frame_bytes = 16777216
/// limits.max_headers = 128
/// limits.max_header_line_bytes = 8192
/// limits.queue_depth = 1000
/// limits.max_pending_messages = 5000
/// limits.max_connections = 10000
/// limits.max_subscriptions_per_connection = 1000
/// limits.max_unacked = 1000
/// limits.max_transactions_per_connection = 16
/// limits.max_frames_per_transaction = 1000
/// # how long SIGTERM waits for queued MESSAGE frames to be written
/// shutdown.grace_ms = 5000
/// # RabbitMQ-style exchanges (repeatable; the first one replaces the default set)
/// exchange.mcollective_broadcast = topic
/// exchange.mcollective_directed = direct
/// loglevel = info
/// # TLS (see BrokerTLSConfiguration)
/// listen = tls://0.0.0.0:61614
/// tls.certificate = /etc/chorus/broker.pem
/// tls.private_key = /etc/chorus/broker-key.pem
/// tls.ca = /etc/chorus/ca.pem
/// tls.verify_clients = required
/// # HTTP statistics (GET /stats, /metrics, /healthz); a port alone = 127.0.0.1:PORT
/// stats.listen = 127.0.0.1:61680
/// ```
///
/// docs/BROKER.md describes every key.
public struct BrokerConfiguration: Sendable, Equatable {
    /// Addresses to listen on (default `127.0.0.1:61613`).
    public var listen: [ListenAddress] = [ListenAddress(host: "127.0.0.1", port: 61613)]
    /// Login → passcode. Empty = accept any login.
    public var users: [String: String] = [:]
    /// `group.` and `acl.` lines: who may read, write and create which destinations. Without
    /// `acl.` lines everything is allowed.
    public var accessControl = AccessPolicy()
    /// The fastest the broker sends heart-beats (ms, the `sx` it offers); 0 = never.
    public var heartbeatSendMilliseconds = 5000
    /// The fastest the broker wants heart-beats (ms, the `sy` it offers); 0 = never.
    public var heartbeatReceiveMilliseconds = 5000
    /// Frame parser bounds.
    public var limits = STOMPLimits.default
    /// Most messages buffered per queue while no consumer matches.
    public var queueDepth = 1000
    /// Most messages queued to one consumer whose socket is not writable; more are dropped.
    public var maxPendingMessagesPerConsumer = 5000
    /// Most open client connections; one more gets an ERROR and is closed.
    public var maxConnections = 10000
    /// Most subscriptions per connection (its private reply queues included).
    public var maxSubscriptionsPerConnection = 1000
    /// Most messages waiting for an ACK per client-acknowledged subscription (a prefetch limit).
    public var maxUnackedPerSubscription = 1000
    /// Most transactions open at once on one connection.
    public var maxTransactionsPerConnection = 16
    /// Most SEND, ACK and NACK frames one transaction holds.
    public var maxFramesPerTransaction = 1000
    /// How long shutdown waits for each connection's queued frames to be written (ms).
    public var shutdownGraceMilliseconds = 5000
    /// The exchanges `/exchange/NAME[/KEY]` destinations may use, name → type. Defaults to
    /// ``defaultExchanges``, what MCollective's rabbitmq connector needs for the `mcollective`
    /// collective.
    public var exchanges: [String: ExchangeType] = BrokerConfiguration.defaultExchanges
    /// `loglevel` from the file, if given: MCollective's debug, info, warn, error, fatal (swift-log's
    /// names are accepted too).
    public var logLevel: String?
    /// Certificate, key and client verification for `tls://` listeners.
    public var tls = BrokerTLSConfiguration()
    /// Where the HTTP statistics endpoint listens (`stats.listen`); nil = no endpoint.
    public var statsListen: ListenAddress?

    /// The exchanges declared when the configuration declares none: `mcollective_broadcast`
    /// (topic: requests by agent), `mcollective_directed` (direct: requests by node identity) and
    /// `mcollective_reply` (direct: replies with `plugin.rabbitmq.use_reply_exchange`).
    public static let defaultExchanges: [String: ExchangeType] = [
        "mcollective_broadcast": .topic,
        "mcollective_directed": .direct,
        "mcollective_reply": .direct,
    ]

    /// The defaults: listen on 127.0.0.1:61613, accept any login, the ``defaultExchanges``.
    public init() {}

    /// Whether `login`/`passcode` may connect. The passcode is compared in constant time.
    public func authenticates(login: String?, passcode: String?) -> Bool {
        guard !users.isEmpty else { return true }
        guard let login, let expected = users[login] else { return false }
        return PasscodeCheck.matches(passcode ?? "", expected) && passcode != nil
    }
}
