/// The message an ACK or NACK names, as its STOMP version names it.
public enum AckReference: Sendable, Hashable, CustomStringConvertible {
    /// STOMP 1.2: the `id` header, the MESSAGE's `ack` value.
    case tag(DeliveryTag)
    /// STOMP 1.0 and 1.1: the MESSAGE's `message-id`, with the `subscription` (its id, or its
    /// destination for an id-less subscription) when the frame names one; without it, the
    /// first subscription of the connection that waits for that message is meant.
    case messageID(String, subscription: String?)

    public var description: String {
        switch self {
        case .tag(let tag): "id '\(tag)'"
        case .messageID(let id, let subscription?): "message-id '\(id)' on subscription '\(subscription)'"
        case .messageID(let id, nil): "message-id '\(id)'"
        }
    }
}
