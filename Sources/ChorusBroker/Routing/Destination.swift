/// A broker destination: `/topic/NAME` (every matching subscriber gets each message) or
/// `/queue/NAME` (each message goes to one matching consumer).
public struct Destination: Sendable, Hashable, CustomStringConvertible {
    /// How messages sent to a destination are distributed.
    public enum Kind: String, Sendable, Hashable, CaseIterable {
        /// Fan-out to every matching subscriber; nothing is kept when none is subscribed.
        case topic
        /// Point-to-point: one matching consumer per message, round robin; kept (bounded) while
        /// no consumer matches.
        case queue
    }

    /// Topic or queue.
    public let kind: Kind
    /// The name after the prefix, e.g. `mcollective.nodes`.
    public let name: String
    /// The full destination as written in frames, e.g. `/queue/mcollective.nodes`.
    public let path: String

    /// Parses `/topic/NAME` or `/queue/NAME`; any other form yields `nil`.
    public init?(_ path: String) {
        let kind: Kind
        let name: Substring
        if path.hasPrefix("/topic/") {
            kind = .topic
            name = path.dropFirst(7)
        } else if path.hasPrefix("/queue/") {
            kind = .queue
            name = path.dropFirst(7)
        } else {
            return nil
        }
        guard !name.isEmpty else { return nil }
        self.kind = kind
        self.name = String(name)
        self.path = path
    }

    public var description: String { path }
}
