import Synchronization

/// The request ids a node has admitted, each remembered until its request could no longer
/// pass the TTL check (`msgtime + ttl`). A request whose id is still remembered is a replay.
///
/// Pure value type: the clock is passed in, so expiry and eviction are tested without waiting.
///
/// **When full, it fails closed.** After dropping every expired id, a window holding
/// `capacity` live ids refuses to take another and the request is rejected (`.full`), rather
/// than forgetting a live id to make room: a cache that silently forgets is no protection,
/// since the forgotten request could then be replayed. The capacity is sized far above what
/// a node serves within one TTL (the default, 100,000 ids within the default 60 s TTL, is
/// over 1,600 requests a second), so only a flood reaches it, and it empties again as the
/// flood's TTLs run out. Memory stays bounded (about 150 bytes per id).
public struct ReplayWindow: Sendable {
    /// What the window made of one request id.
    public enum Verdict: Sendable, Equatable {
        /// Not seen within its TTL; now remembered.
        case fresh
        /// Seen before, and its earlier copy is still within its TTL.
        case replayed
        /// Not seen, but the window already holds `capacity` live ids; not remembered.
        case full
    }

    /// The most ids held at once.
    public let capacity: Int
    private var expiries: [String: Int] = [:]
    /// Ids by expiry, earliest first (a binary min-heap), so expired ids leave in O(log n).
    private var queue: [(expiry: Int, id: String)] = []

    public init(capacity: Int) {
        self.capacity = max(1, capacity)
    }

    /// How many ids are remembered now (expired ones may still be counted until the next `record`).
    public var count: Int { expiries.count }

    /// Records `id`, valid until `expiry` (seconds since the epoch; the id is forgotten once
    /// `now > expiry`), unless it is a replay or the window is full.
    public mutating func record(_ id: String, expiry: Int, now: Int) -> Verdict {
        purge(now: now)
        if expiries[id] != nil { return .replayed }
        guard expiries.count < capacity else { return .full }
        expiries[id] = expiry
        push((expiry, id))
        return .fresh
    }

    /// Forgets every id whose expiry is before `now`.
    public mutating func purge(now: Int) {
        while let first = queue.first, first.expiry < now {
            pop()
            if expiries[first.id] == first.expiry { expiries.removeValue(forKey: first.id) }
        }
    }

    // MARK: Heap

    private mutating func push(_ entry: (expiry: Int, id: String)) {
        queue.append(entry)
        var child = queue.count - 1
        while child > 0 {
            let parent = (child - 1) / 2
            guard queue[child].expiry < queue[parent].expiry else { break }
            queue.swapAt(child, parent)
            child = parent
        }
    }

    private mutating func pop() {
        let last = queue.removeLast()
        guard !queue.isEmpty else { return }
        queue[0] = last
        var parent = 0
        while true {
            let left = 2 * parent + 1
            let right = left + 1
            var smallest = parent
            if left < queue.count, queue[left].expiry < queue[smallest].expiry { smallest = left }
            if right < queue.count, queue[right].expiry < queue[smallest].expiry { smallest = right }
            guard smallest != parent else { return }
            queue.swapAt(parent, smallest)
            parent = smallest
        }
    }
}

/// The node's replay window, shared by the tasks that admit requests concurrently.
public final class ReplayCache: Sendable {
    /// 100,000 ids.
    public static let defaultCapacity = 100_000

    private let window: Mutex<ReplayWindow>

    public init(capacity: Int = ReplayCache.defaultCapacity) {
        window = Mutex(ReplayWindow(capacity: capacity))
    }

    /// Checks and records one admitted request: `messageTime + ttl` is when its TTL check
    /// would start failing, so the id is kept until then (saturating, never overflowing).
    public func record(_ id: String, messageTime: Int, ttl: Int, now: Int) -> ReplayWindow.Verdict {
        let (sum, overflow) = messageTime.addingReportingOverflow(ttl)
        let expiry = overflow ? (ttl > 0 ? Int.max : Int.min) : sum
        return window.withLock { $0.record(id, expiry: expiry, now: now) }
    }

    /// How many ids are remembered now.
    public var count: Int { window.withLock { $0.count } }
}
