/// How an exchange routes a message to the queues bound to it (AMQP 0-9-1 exchange types).
public enum ExchangeType: String, Sendable, Hashable, CaseIterable {
    /// The routing key must equal the binding key.
    case direct
    /// The binding key is a pattern of `.`-separated words: `*` matches exactly one word, `#`
    /// zero or more (see ``TopicPattern``).
    case topic
    /// Every bound queue gets every message; keys are ignored.
    case fanout

    /// The binding key a SUBSCRIBE to `/exchange/NAME` without a key gets: `#` (everything) on a
    /// topic exchange, so a multiplexed subscription (MCollective's `agents_multiplex`) sees every
    /// agent's requests; the empty key on direct and fanout exchanges.
    public var defaultBindingKey: String {
        self == .topic ? "#" : ""
    }
}
