import Foundation

/// What a fleet worker process reports to `chorus bench fleet`, as a JSON file the worker
/// replaces atomically (write beside, then rename) and the bench polls.
public struct FleetWorkerStatus: Sendable, Codable, Equatable {
    public enum Phase: String, Sendable, Codable {
        /// Nodes are connecting; `serving` counts those that are up.
        case connecting
        /// Every node is up and subscribed.
        case serving
        /// The worker has stopped its nodes and is exiting.
        case stopped
    }

    public var pid: Int32
    public var phase: Phase
    /// Nodes this worker hosts.
    public var nodes: Int
    /// Nodes connected and subscribed.
    public var serving: Int
    /// From the worker's first connection attempt until every node served, in milliseconds.
    public var connectMilliseconds: Double?
    /// Bumped on every write; the bench asks for fresh counters (SIGUSR1) and waits for it to move.
    public var sequence: Int
    public var counters: FleetNodeCounters

    public init(pid: Int32, phase: Phase, nodes: Int, serving: Int, connectMilliseconds: Double?, sequence: Int, counters: FleetNodeCounters) {
        self.pid = pid
        self.phase = phase
        self.nodes = nodes
        self.serving = serving
        self.connectMilliseconds = connectMilliseconds
        self.sequence = sequence
        self.counters = counters
    }

    /// Writes the status to `path` so a reader never sees half a file.
    public func write(to path: String) throws {
        let data = try JSONEncoder().encode(self)
        let temporary = path + ".tmp"
        try data.write(to: URL(fileURLWithPath: temporary))
        guard rename(temporary, path) == 0 else { throw CocoaError(.fileWriteUnknown) }
    }

    /// The status in `path`, or nil while there is none (or it cannot be read).
    public static func read(from path: String) -> FleetWorkerStatus? {
        guard let data = FileManager.default.contents(atPath: path) else { return nil }
        return try? JSONDecoder().decode(FleetWorkerStatus.self, from: data)
    }
}
