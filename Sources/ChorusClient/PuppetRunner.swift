/// `chorus puppet runall N`: keeps N Puppet runs going across a set of nodes, as the original
/// puppetrunner does, as a state machine with no I/O. The command feeds it status replies
/// and tells it which runs it started; it answers which nodes to start next and what to log.
///
/// The algorithm (PA `util/puppetrunner.rb`):
/// 1. Every enabled node is pending. Nodes already applying a catalog count as running.
/// 2. While fewer than N nodes run, start the next pending node that is not running
///    (`runonce force=true`) and track it with the time the node said the run started.
/// 3. Every second, poll `status` on all nodes. A tracked node stays running while it
///    applies a catalog; it is done once its last run is at or after the time the run was
///    started. A started node that has not begun applying after 5 polls "did not move into
///    an applying state" and is dropped; one that does not answer 5 polls is dropped too.
/// 4. When no node is pending the original stops at once; Chorus also waits for the runs
///    it started to finish (or be dropped), so the report and exit status cover every run.
public struct PuppetRunner: Sendable {
    /// One node's answer to a `status` poll.
    public struct NodeStatus: Sendable, Hashable {
        public var applying: Bool
        public var lastRun: Int
        public init(applying: Bool, lastRun: Int) {
            self.applying = applying
            self.lastRun = lastRun
        }
    }

    /// A node counted as running.
    public struct Tracked: Sendable, Hashable {
        public var node: String
        /// When we started its run (0 for a run we did not start).
        public var initiatedAt: Int
        public var checks = 0
        public var missedPolls = 0
        public init(node: String, initiatedAt: Int) {
            self.node = node
            self.initiatedAt = initiatedAt
        }
    }

    /// Something worth telling the user.
    public enum Event: Sendable, Hashable {
        case completed(String)
        case noResponse(String)
        case unresponsive(String)
        case didNotStart(String)

        public var message: String {
            switch self {
            case .completed(let node): return "\(node) completed its run"
            case .noResponse(let node): return "Host \(node) did not respond to the status action."
            case .unresponsive(let node): return "Host \(node) failed to respond multiple times. Skipping."
            case .didNotStart(let node): return "Host \(node) did not move into an applying state. Skipping."
            }
        }
    }

    public let nodes: [String]
    public let concurrency: Int
    /// Polls before a started node that has not begun applying (or a silent node) is dropped.
    public let patience: Int
    /// Nodes whose run has not been started yet, in order.
    public private(set) var pending: [String]
    /// Nodes counted against the concurrency.
    public private(set) var running: [Tracked] = []
    /// Nodes whose run we started.
    public private(set) var started: [String] = []
    /// Nodes we started that finished their run.
    public private(set) var completed: [String] = []
    /// Nodes dropped: did not start applying or stopped answering.
    public private(set) var skipped: [String] = []

    public init(nodes: [String], concurrency: Int, patience: Int = 5) {
        precondition(concurrency > 0, "the concurrency has to be greater than 0")
        self.nodes = nodes
        self.concurrency = concurrency
        self.patience = patience
        pending = nodes
    }

    /// Every run was started and none is still being waited for.
    public var finished: Bool { pending.isEmpty && running.allSatisfy { !started.contains($0.node) } }

    /// The pending nodes to start now: as many as there are free slots, skipping nodes that
    /// are running already (they are started after their current run). Report each start
    /// with `started(_:initiatedAt:)`.
    public func nextToStart() -> [String] {
        let free = concurrency - running.count
        guard free > 0 else { return [] }
        let busy = Set(running.map(\.node))
        return Array(pending.filter { !busy.contains($0) }.prefix(free))
    }

    /// Records that `node`'s run was requested; `initiatedAt` is the node's `initiated_at`
    /// (0 when it did not say, or refused the run).
    public mutating func started(_ node: String, initiatedAt: Int) {
        pending.removeAll { $0 == node }
        started.append(node)
        running.append(Tracked(node: node, initiatedAt: initiatedAt))
    }

    /// Records that `node` refused the run or did not answer the request: it is not tracked.
    public mutating func refused(_ node: String) {
        pending.removeAll { $0 == node }
    }

    /// Takes in one status poll of every node (`nil` for a node that did not answer) and
    /// returns what happened.
    @discardableResult
    public mutating func update(_ statuses: [String: NodeStatus]) -> [Event] {
        var events: [Event] = []
        var next: [Tracked] = []
        for node in nodes {
            let existing = running.first { $0.node == node }
            var tracked = existing ?? Tracked(node: node, initiatedAt: 0)
            let ours = existing != nil && started.contains(node)
            if let status = statuses[node] {
                if !status.applying {
                    if status.lastRun >= tracked.initiatedAt {
                        if ours {
                            completed.append(node)
                            events.append(.completed(node))
                        }
                        continue
                    }
                    tracked.checks += 1
                }
            } else {
                // A node we are not tracking and that did not answer is simply not running.
                guard existing != nil else { continue }
                events.append(.noResponse(node))
                tracked.missedPolls += 1
            }
            if tracked.missedPolls >= patience {
                events.append(.unresponsive(node))
                if ours { skipped.append(node) }
                continue
            }
            if tracked.checks >= patience {
                events.append(.didNotStart(node))
                if ours { skipped.append(node) }
                continue
            }
            next.append(tracked)
        }
        running = next
        return events
    }
}
