/// Where a message goes and which headers it carries besides `destination`,
/// `content-length` and `content-type` (which the STOMP client adds).
public struct OutgoingMessage: Sendable, Equatable {
    public var destination: String
    public var headers: [Header]

    public struct Header: Sendable, Equatable {
        public var name: String
        public var value: String
        public init(_ name: String, _ value: String) {
            self.name = name
            self.value = value
        }
    }

    public init(destination: String, headers: [Header]) {
        self.destination = destination
        self.headers = headers
    }

    /// Headers as name/value pairs, in order.
    public var headerPairs: [(String, String)] { headers.map { ($0.name, $0.value) } }
}

/// A subscription a node or client makes.
public struct ConnectorSubscription: Sendable, Equatable {
    public var destination: String
    /// The STOMP 1.1 subscription id (unused on the wire under STOMP 1.0).
    public var id: String
    public var headers: [OutgoingMessage.Header]

    public init(destination: String, id: String, headers: [OutgoingMessage.Header] = []) {
        self.destination = destination
        self.id = id
        self.headers = headers
    }

    public var headerPairs: [(String, String)] { headers.map { ($0.name, $0.value) } }
}

/// An MCollective connector dialect: how requests, directed requests and replies map onto
/// broker destinations and headers (MCollective's connector plugin type). Pure: no I/O.
public protocol Connector: Sendable {
    /// The name used in `connector = …`.
    var name: String { get }
    /// The CONNECT `host` header when the configuration names none.
    var defaultVirtualHost: String { get }

    /// What a node subscribes to for one collective: its directed queue first, then one
    /// broadcast destination per agent (runner.rb / agents.rb order).
    func nodeSubscriptions(identity: String, collective: String, agents: [String]) -> [ConnectorSubscription]

    /// The reply destination a client creates for one request to `agent`, and whether it
    /// must subscribe to it before sending.
    func replyDestination(collective: String, identity: String, agent: String, pid: Int32, sequence: Int) -> ReplyDestination

    /// A broadcast request to every node subscribed to `agent` in `collective`.
    func broadcastRequest(collective: String, agent: String, replyTo: String?, sender: String, ttl: Int, now: Int) -> OutgoingMessage

    /// A request addressed to one node.
    func directedRequest(collective: String, node: String, replyTo: String?, sender: String, ttl: Int, now: Int) -> OutgoingMessage

    /// A reply to the request's `reply-to` destination.
    func reply(to replyTo: String, sender: String, ttl: Int, now: Int) -> OutgoingMessage
}

/// Where a client's replies arrive.
public struct ReplyDestination: Sendable, Equatable {
    /// What goes in `reply-to`.
    public var replyTo: String
    /// What the client subscribes to before sending (nil when the broker creates it, as RabbitMQ's temp queues).
    public var subscription: ConnectorSubscription?

    public init(replyTo: String, subscription: ConnectorSubscription?) {
        self.replyTo = replyTo
        self.subscription = subscription
    }
}

/// Why a connector cannot be used.
public struct ConnectorError: Error, Sendable, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}

/// Looks up a connector dialect by its configuration name.
public enum Connectors {
    public static func named(_ name: String) throws -> any Connector {
        switch name.lowercased() {
        case "activemq": return ActiveMQConnector()
        case "rabbitmq": return RabbitMQConnector()
        default:
            throw ConnectorError("unknown connector '\(name)': Chorus supports connector = activemq or connector = rabbitmq")
        }
    }
}
