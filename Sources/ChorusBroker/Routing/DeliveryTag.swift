/// Identifies one delivery to a subscription that acknowledges by client (``AckMode/client`` or
/// ``AckMode/clientIndividual``): a number unique in the broker's run, growing with every such
/// delivery. STOMP 1.2 clients see it as the MESSAGE's `ack` header and send it back as the
/// ACK's or NACK's `id`. Deliveries to auto-acknowledged subscriptions carry ``auto``.
public struct DeliveryTag: Sendable, Hashable, Comparable, CustomStringConvertible {
    public let rawValue: UInt64

    public init(_ rawValue: UInt64) { self.rawValue = rawValue }

    /// The tag of a delivery nobody acknowledges (an auto-acknowledged subscription).
    public static let auto = DeliveryTag(0)

    /// Whether the delivery waits for an ACK or NACK.
    public var awaitsAcknowledgement: Bool { rawValue != 0 }

    /// The tag a STOMP 1.2 ACK or NACK names in its `id` header; nil when the text is not one
    /// the broker could have issued.
    public init?(header value: String) {
        guard let number = UInt64(value), number > 0 else { return nil }
        self.rawValue = number
    }

    public static func < (lhs: DeliveryTag, rhs: DeliveryTag) -> Bool { lhs.rawValue < rhs.rawValue }

    public var description: String { String(rawValue) }
}
