import ChorusServer
import Logging
import NIOCore
import Synchronization

/// Hosts a range of simulated nodes in this process. Each node is a real `NodeDaemon` with
/// its own broker connection; at most `connectWindow` of them are connecting at once, so the
/// broker's accept backlog never overflows (an overflow costs a one-second SYN retry).
public final class FleetWorker: Sendable {
    /// The nodes, in index order.
    public let nodes: [NodeDaemon]
    public let range: Range<Int>
    private let servingCount = Atomic<Int>(0)
    private let stopping = Atomic<Bool>(false)
    /// One element per node that started serving (and one when stopping, to wake the launcher).
    private let arrivals: AsyncStream<Void>
    private let arrived: AsyncStream<Void>.Continuation

    public init(kit: SimulatedNodeKit, range: Range<Int>, group: any EventLoopGroup, logger: Logger) {
        self.range = range
        nodes = range.map { kit.makeNode(index: $0, group: group, logger: logger) }
        (arrivals, arrived) = AsyncStream.makeStream(of: Void.self)
    }

    /// Nodes whose connection is up and whose subscriptions are written.
    public var serving: Int { servingCount.load(ordering: .relaxed) }

    /// Starts every node, calls `onAllServing` with the time it took once all of them serve,
    /// and returns when every node has stopped (after `stop()`).
    public func run(connectWindow: Int = 256, onAllServing: @Sendable (Duration) -> Void) async {
        let clock = ContinuousClock()
        let started = clock.now
        let window = max(1, connectWindow)
        await withDiscardingTaskGroup { group in
            var pending = arrivals.makeAsyncIterator()
            var connecting = 0
            for node in nodes {
                while connecting >= window && !isStopping {
                    _ = await pending.next()
                    connecting -= 1
                }
                if isStopping { break }
                group.addTask {
                    try? await node.run {
                        self.servingCount.wrappingAdd(1, ordering: .relaxed)
                        self.arrived.yield()
                    }
                }
                connecting += 1
            }
            while connecting > 0 && !isStopping {
                _ = await pending.next()
                connecting -= 1
            }
            if !isStopping { onAllServing(clock.now - started) }
        }
    }

    /// The nodes' counters, summed.
    public var counters: FleetNodeCounters {
        var sum = FleetNodeCounters()
        for node in nodes { sum.add(node.node.counters) }
        return sum
    }

    /// Stops every node: unsubscribe, DISCONNECT, close. `run` returns afterwards.
    public func stop() async {
        guard !stopping.exchange(true, ordering: .relaxed) else { return }
        arrived.yield()
        await withDiscardingTaskGroup { group in
            for node in nodes {
                group.addTask { await node.shutdown(grace: .zero) }
            }
        }
        arrived.finish()
    }

    private var isStopping: Bool { stopping.load(ordering: .relaxed) }
}
