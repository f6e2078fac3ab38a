/// How many simulated nodes fit on this machine, and how they are spread over worker
/// processes. Pure: the limits are passed in.
///
/// Every node holds one broker connection, which costs one open file in the broker and one
/// in the worker process hosting the node. Workers scale out (each hosts a share of the
/// nodes), so their limit is met by adding workers; the broker is one process, so its
/// open-file limit caps the fleet. All connections go to one broker address from 127.0.0.1,
/// so the ephemeral port range caps them too (on this machine the file limit is lower, so one
/// source address is enough).
public struct FleetCapacity: Sendable {
    /// Descriptors a process needs besides its connections (standard streams, epoll and event
    /// descriptors, listeners, log and status files): a margin above the 20–30 counted in practice.
    public static let processReserve = 100
    /// Ports left for every other program on the machine.
    public static let portReserve = 1_000
    /// Nodes one worker hosts unless `--workers` says otherwise.
    public static let defaultNodesPerWorker = 10_000

    /// The broker process's open-file limit, and where it comes from (for messages); nil
    /// when unknown (a remote broker), which is then not checked.
    public let brokerFileLimit: (limit: Int, source: String)?
    /// The open-file limit a worker process can raise itself to (the hard limit).
    public let processFileLimit: Int
    /// Ports in `net.ipv4.ip_local_port_range`.
    public let ephemeralPorts: Int
    /// Broker connections the bench's own clients make besides the nodes.
    public let clients: Int

    public init(brokerFileLimit: (limit: Int, source: String)?, processFileLimit: Int, ephemeralPorts: Int, clients: Int) {
        self.brokerFileLimit = brokerFileLimit
        self.processFileLimit = processFileLimit
        self.ephemeralPorts = ephemeralPorts
        self.clients = clients
    }

    /// The most nodes the broker can hold beside the bench's clients.
    public var largestFleet: Int {
        let byFiles = brokerFileLimit.map { $0.limit - Self.processReserve } ?? Int.max
        return max(0, min(byFiles, ephemeralPorts - Self.portReserve) - clients)
    }

    /// The most nodes one worker process can host.
    public var nodesPerWorkerLimit: Int { max(1, processFileLimit - Self.processReserve) }

    /// Spreads `nodes` over `workers` processes (by default one per 10,000 nodes), or says
    /// why they do not fit and what would.
    public func layout(nodes: Int, workers: Int? = nil) throws(FleetCapacityError) -> FleetLayout {
        guard nodes >= 1 else { throw .noNodes }
        let connections = nodes + clients
        if let broker = brokerFileLimit, connections + Self.processReserve > broker.limit {
            throw .brokerFileLimit(nodes: nodes, clients: clients, limit: broker.limit, source: broker.source, largest: largestFleet)
        }
        if connections + Self.portReserve > ephemeralPorts {
            throw .ephemeralPorts(nodes: nodes, clients: clients, ports: ephemeralPorts, largest: largestFleet)
        }
        let minimumWorkers = (nodes + nodesPerWorkerLimit - 1) / nodesPerWorkerLimit
        let count: Int
        if let workers {
            guard workers >= minimumWorkers else {
                throw .workerFileLimit(nodes: nodes, workers: workers, limit: processFileLimit, needed: minimumWorkers)
            }
            count = min(max(1, workers), nodes)
        } else {
            count = max(minimumWorkers, (nodes + Self.defaultNodesPerWorker - 1) / Self.defaultNodesPerWorker)
        }
        var ranges: [Range<Int>] = []
        var start = 0
        for worker in 0..<count {
            let size = nodes / count + (worker < nodes % count ? 1 : 0)
            ranges.append(start..<start + size)
            start += size
        }
        return FleetLayout(nodes: nodes, workers: ranges, brokerConnections: connections)
    }
}

/// Where each simulated node runs.
public struct FleetLayout: Sendable, Equatable {
    public var nodes: Int
    /// Node indices per worker process.
    public var workers: [Range<Int>]
    /// Connections the broker holds: every node plus the bench's clients.
    public var brokerConnections: Int
}

/// Why a fleet does not fit; each message says which limit, with the numbers, and what fits.
public enum FleetCapacityError: Error, Sendable, Equatable, CustomStringConvertible {
    case noNodes
    case brokerFileLimit(nodes: Int, clients: Int, limit: Int, source: String, largest: Int)
    case ephemeralPorts(nodes: Int, clients: Int, ports: Int, largest: Int)
    case workerFileLimit(nodes: Int, workers: Int, limit: Int, needed: Int)

    public var description: String {
        switch self {
        case .noNodes:
            return "--nodes must be at least 1"
        case .brokerFileLimit(let nodes, let clients, let limit, let source, let largest):
            return """
                \(nodes) nodes do not fit one broker on this machine: the broker holds one open file per connection \
                (\(nodes) nodes + \(clients) bench clients = \(nodes + clients)) plus about \(FleetCapacity.processReserve) of its own, \
                but its open-file limit is \(limit) (\(source)). The simulated nodes are spread over worker processes, so \
                the limit is the broker's alone. The largest fleet that fits is \(largest) nodes: chorus bench --nodes \(largest)
                """
        case .ephemeralPorts(let nodes, let clients, let ports, let largest):
            return """
                \(nodes) nodes do not fit: every connection (\(nodes) nodes + \(clients) bench clients) goes from 127.0.0.1 \
                to one broker address and needs its own local port, but net.ipv4.ip_local_port_range has \(ports) ports \
                (\(FleetCapacity.portReserve) are left for other programs). The largest fleet that fits is \(largest) nodes: \
                chorus bench --nodes \(largest)
                """
        case .workerFileLimit(let nodes, let workers, let limit, let needed):
            return """
                \(workers) worker process(es) cannot host \(nodes) nodes: each node's connection is an open file in its worker \
                and the open-file limit is \(limit) per process. Use --workers \(needed) or more (or leave --workers out)
                """
        }
    }
}
