/// A broker destination as written in a frame's `destination` (or `reply-to`) header.
///
/// Two dialects share one broker:
/// - ActiveMQ's: `/topic/NAME` (fan-out to every subscriber of exactly that name) and
///   `/queue/NAME` (one consumer per message, buffered while none matches).
/// - RabbitMQ's STOMP plugin's: `/exchange/NAME[/KEY]` (routed through a declared exchange by
///   routing key), `/amq/queue/NAME` (the same queues as `/queue/NAME`), `/temp-queue/NAME`
///   (only meaningful in a SEND's `reply-to`: the broker creates a private reply queue) and
///   `/reply-queue/NAME` (a private reply queue, addressed by the name the broker generated).
public struct Destination: Sendable, Hashable, CustomStringConvertible {
    /// How messages sent to a destination are distributed.
    public enum Kind: String, Sendable, Hashable, CaseIterable {
        /// `/topic/NAME`: fan-out to every matching subscriber; nothing is kept when none is subscribed.
        case topic
        /// `/queue/NAME` or `/amq/queue/NAME`: point-to-point, one matching consumer per message,
        /// round robin; kept (bounded) while no consumer matches.
        case queue
        /// `/exchange/NAME[/KEY]`: routed by key through a declared exchange; each subscription
        /// is a private queue bound to the exchange.
        case exchange
        /// `/temp-queue/NAME`: a connection's private reply queue, named in `reply-to` only.
        case temporaryQueue
        /// `/reply-queue/NAME`: a private reply queue created for a `/temp-queue/` reply-to.
        case replyQueue
    }

    /// The kind of destination.
    public let kind: Kind
    /// The name after the prefix: the topic, queue, exchange, temp-queue or reply-queue name
    /// (for exchanges without the routing key), e.g. `mcollective.nodes`, `mcollective_broadcast`.
    public let name: String
    /// For `/exchange/NAME/KEY`, the key (a routing key on SEND, a binding pattern on SUBSCRIBE);
    /// `nil` for `/exchange/NAME` and every other kind.
    public let routingKey: String?
    /// The full destination as written in frames, e.g. `/queue/mcollective.nodes`.
    public let path: String

    /// Parses a destination; `nil` when the prefix is unknown or the name is empty.
    ///
    /// An exchange destination has at most one `/` after the exchange name (`/exchange/x/a/b`
    /// is refused, as RabbitMQ does); its key may be empty (`/exchange/x/`).
    public init?(_ path: String) {
        var key: String?
        let kind: Kind
        let name: Substring
        if path.hasPrefix("/topic/") {
            kind = .topic
            name = path.dropFirst(7)
        } else if path.hasPrefix("/queue/") {
            kind = .queue
            name = path.dropFirst(7)
        } else if path.hasPrefix("/amq/queue/") {
            kind = .queue
            name = path.dropFirst(11)
        } else if path.hasPrefix("/exchange/") {
            kind = .exchange
            let rest = path.dropFirst(10)
            if let slash = rest.firstIndex(of: "/") {
                let pattern = rest[rest.index(after: slash)...]
                guard !pattern.contains("/") else { return nil }
                name = rest[..<slash]
                key = String(pattern)
            } else {
                name = rest
            }
        } else if path.hasPrefix("/temp-queue/") {
            kind = .temporaryQueue
            name = path.dropFirst(12)
        } else if path.hasPrefix("/reply-queue/") {
            kind = .replyQueue
            name = path.dropFirst(13)
        } else {
            return nil
        }
        guard !name.isEmpty else { return nil }
        self.kind = kind
        self.name = String(name)
        self.routingKey = key
        self.path = path
    }

    /// A queue destination for a queue the broker names itself (private reply queues).
    init(queueNamed name: String) {
        self.kind = .queue
        self.name = name
        self.routingKey = nil
        self.path = "/queue/" + name
    }

    /// The `destination` header of a MESSAGE delivered from a message sent here. RabbitMQ writes
    /// messages published through its default exchange (`/reply-queue/NAME`, `/amq/queue/NAME`)
    /// as `/queue/NAME`; everything else keeps the path it was sent to.
    public var deliveredPath: String {
        switch kind {
        case .replyQueue: "/queue/" + name
        case .queue where path.hasPrefix("/amq/"): "/queue/" + name
        default: path
        }
    }

    /// Whether MESSAGE frames for it follow RabbitMQ's shape (`redelivered:false` after
    /// `message-id`).
    public var isRabbitMQDialect: Bool {
        switch kind {
        case .exchange, .temporaryQueue, .replyQueue: true
        case .topic: false
        case .queue: path.hasPrefix("/amq/")
        }
    }

    /// The destination prefixes this broker understands, for error messages.
    public static let supportedPrefixes = "/topic/, /queue/, /amq/queue/, /exchange/, /temp-queue/, /reply-queue/"

    public var description: String { path }
}
