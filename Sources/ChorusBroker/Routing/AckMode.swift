/// How a subscription's messages are acknowledged: the SUBSCRIBE's `ack` header (STOMP 1.0–1.2).
public enum AckMode: String, Sendable, Hashable, CaseIterable {
    /// `ack:auto` (the default): a message counts as consumed once it is written to the client.
    case auto
    /// `ack:client`: the client ACKs; an ACK is cumulative, settling that message and every
    /// earlier one still unacknowledged on the same subscription.
    case client
    /// `ack:client-individual`: the client ACKs each message by itself.
    case clientIndividual = "client-individual"

    /// Whether messages wait for an ACK or NACK.
    public var needsAcknowledgement: Bool { self != .auto }
}
