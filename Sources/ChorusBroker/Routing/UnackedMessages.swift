import NIOCore

/// The messages delivered to one client-acknowledged subscription and not yet settled by an
/// ACK or NACK, oldest first.
///
/// Tags grow with every delivery and each delivery is appended, so the entries are sorted by
/// tag: finding a STOMP 1.2 `id` is a binary search; a 1.0/1.1 `message-id` is searched from
/// the oldest entry, where acknowledgements usually land.
public struct UnackedMessages {
    /// One delivery waiting for its acknowledgement.
    public struct Entry {
        public let tag: DeliveryTag
        public let message: BrokerMessage
    }

    private var entries = CircularBuffer<Entry>()

    public init() {}

    /// How many deliveries wait.
    public var count: Int { entries.count }
    public var isEmpty: Bool { entries.isEmpty }

    /// The waiting messages, oldest first.
    public var messages: [BrokerMessage] { entries.map(\.message) }

    /// Records a delivery; its tag must be greater than every tag recorded before.
    public mutating func append(_ tag: DeliveryTag, _ message: BrokerMessage) {
        assert(entries.last.map { $0.tag < tag } ?? true, "delivery tags must grow")
        entries.append(Entry(tag: tag, message: message))
    }

    /// The position of the delivery `reference` names, if it waits here.
    public func position(of reference: AckReference) -> Int? {
        switch reference {
        case .tag(let tag): position(of: tag)
        case .messageID(let id, _): entries.firstIndex { $0.message.messageID == id }.map { entries.distance(from: entries.startIndex, to: $0) }
        }
    }

    private func position(of tag: DeliveryTag) -> Int? {
        var low = 0
        var high = entries.count
        while low < high {
            let middle = (low + high) / 2
            let candidate = entries[entries.index(entries.startIndex, offsetBy: middle)].tag
            if candidate == tag { return middle }
            if candidate < tag { low = middle + 1 } else { high = middle }
        }
        return nil
    }

    /// Settles the delivery at `position`; with `cumulative` (``AckMode/client``) also every
    /// older one. Returns the settled messages, oldest first.
    public mutating func settle(at position: Int, cumulative: Bool) -> [BrokerMessage] {
        precondition(position >= 0 && position < entries.count, "no delivery at \(position)")
        if cumulative {
            var settled: [BrokerMessage] = []
            settled.reserveCapacity(position + 1)
            for _ in 0...position { settled.append(entries.removeFirst().message) }
            return settled
        }
        return [entries.remove(at: entries.index(entries.startIndex, offsetBy: position)).message]
    }

    /// Removes and returns every waiting message, oldest first (the subscription ended).
    public mutating func removeAll() -> [BrokerMessage] {
        let all = messages
        entries.removeAll()
        return all
    }
}
