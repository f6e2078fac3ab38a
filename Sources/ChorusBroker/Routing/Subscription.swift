import NIOCore
import STOMP

/// Identifies one client connection to the routing core.
public struct ConnectionID: Sendable, Hashable, CustomStringConvertible {
    public let rawValue: UInt64
    public init(_ rawValue: UInt64) { self.rawValue = rawValue }
    public var description: String { "c\(rawValue)" }
}

/// One SUBSCRIBE of one connection.
///
/// A subscription with an `id` is keyed by it; an id-less one (STOMP 1.0, as MCollective sends)
/// is keyed by its destination, so UNSUBSCRIBE can name either. MESSAGE frames carry a
/// `subscription` header only when the SUBSCRIBE had an id, as ActiveMQ does. Its ``ackMode``
/// says whether the routing core waits for ACKs (see ``UnackedMessages``).
public struct Subscription: Sendable {
    /// The subscribing connection.
    public let connection: ConnectionID
    /// The SUBSCRIBE's `id` header, if any.
    public let id: String?
    /// What it listens to.
    public let destination: Destination
    /// Its JMS selector, if any.
    public let selector: Selector?
    /// Whether MESSAGE headers for it are escaped (its connection negotiated STOMP 1.1+).
    public let escapesHeaders: Bool
    /// How its messages are acknowledged (the SUBSCRIBE's `ack` header).
    public let ackMode: AckMode
    /// The bytes every MESSAGE to this subscription starts with: `MESSAGE\n` and, when it has an
    /// id, `subscription:<id>\n`. Encoded once here so deliveries do not allocate.
    public let frameLeader: ByteBuffer

    /// The per-connection key: the id, or the destination path for id-less subscriptions.
    public var key: String { id ?? destination.path }

    public init(
        connection: ConnectionID, id: String?, destination: Destination, selector: Selector?, escapesHeaders: Bool,
        ackMode: AckMode = .auto
    ) {
        self.connection = connection
        self.id = id
        self.destination = destination
        self.selector = selector
        self.escapesHeaders = escapesHeaders
        self.ackMode = ackMode
        var leader = ByteBuffer()
        leader.writeStaticString("MESSAGE\n")
        if let id {
            STOMPFrameEncoder.writeHeader(name: "subscription", value: id, into: &leader, escape: escapesHeaders)
        }
        self.frameLeader = leader
    }

    /// Whether `message` passes this subscription's selector.
    public func selects(_ message: BrokerMessage) -> Bool {
        guard let selector else { return true }
        return selector.matches(message.selectorValue)
    }
}
