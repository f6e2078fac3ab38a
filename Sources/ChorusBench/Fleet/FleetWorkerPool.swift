import Foundation

/// The fleet worker processes, seen from the bench: started with the hidden
/// `chorus bench fleet-worker` subcommand, watched through their status files, asked for
/// counters with SIGUSR1, stopped with SIGTERM.
public final class FleetWorkerPool: Sendable {
    public struct Worker: Sendable {
        public let process: FleetChildProcess
        public let range: Range<Int>
        public let statusFile: String
    }

    public let workers: [Worker]

    /// The subcommand path (after the executable) that runs one worker.
    public static let subcommand = ["bench", "fleet-worker"]

    /// What one worker needs to know, as its command line.
    public struct Assignment: Sendable, Equatable {
        public var target: BrokerTarget
        public var connector: String
        public var prefix: String
        public var range: Range<Int>
        public var statusFile: String

        public init(target: BrokerTarget, connector: String, prefix: String, range: Range<Int>, statusFile: String) {
            self.target = target
            self.connector = connector
            self.prefix = prefix
            self.range = range
            self.statusFile = statusFile
        }

        /// The worker's arguments (the hidden subcommand's options).
        public var arguments: [String] {
            var broker = "\(target.host.contains(":") ? "[\(target.host)]" : target.host):\(target.port)"
            if let login = target.login { broker += ",login=\(login)" }
            if let passcode = target.passcode { broker += ",passcode=\(passcode)" }
            broker += ",vhost=\(target.virtualHost)"
            return FleetWorkerPool.subcommand + [
                "--broker", broker, "--broker-kind", target.kind.rawValue, "--connector", connector,
                "--prefix", prefix, "--first", String(range.lowerBound), "--count", String(range.count),
                "--status-file", statusFile,
            ]
        }
    }

    private init(workers: [Worker]) { self.workers = workers }

    /// Starts one worker per range. The pre-shared key goes through the environment
    /// (`MCOLLECTIVE_PSK`, as for `chorus server`), not the command line.
    public static func start(
        executable: String, layout: FleetLayout, target: BrokerTarget, connector: String, prefix: String, psk: String,
        directory: String
    ) throws -> FleetWorkerPool {
        setenv("MCOLLECTIVE_PSK", psk, 1)
        var started: [Worker] = []
        for (number, range) in layout.workers.enumerated() {
            let status = "\(directory)/worker-\(number + 1).status.json"
            try? FileManager.default.removeItem(atPath: status)
            let assignment = Assignment(target: target, connector: connector, prefix: prefix, range: range, statusFile: status)
            let process = try FleetChildProcess(
                name: "worker \(number + 1)", executable: executable, arguments: assignment.arguments,
                log: "\(directory)/worker-\(number + 1).log")
            started.append(Worker(process: process, range: range, statusFile: status))
        }
        return FleetWorkerPool(workers: started)
    }

    public var pids: [Int32] { workers.map(\.process.pid) }

    /// The latest status of each worker (nil where none was written yet).
    public var statuses: [FleetWorkerStatus?] { workers.map { FleetWorkerStatus.read(from: $0.statusFile) } }

    /// Waits until every worker reports all its nodes serving; throws, naming the worker and
    /// how far it got, when one exits or `timeout` passes.
    public func waitUntilServing(timeout: Duration) async throws -> [FleetWorkerStatus] {
        let deadline = ContinuousClock.now + timeout
        while true {
            let current = statuses
            if current.allSatisfy({ $0?.phase == .serving }) { return current.compactMap { $0 } }
            for (worker, status) in zip(workers, current) where !worker.process.isRunning {
                throw FleetBenchError(
                    "\(worker.process.name) exited (status \(worker.process.terminationStatus ?? -1)) with \(status?.serving ?? 0) of \(worker.range.count) nodes serving; its log \(worker.process.log) ends:\n\(worker.process.logTail())")
            }
            if ContinuousClock.now >= deadline {
                let progress = zip(workers, current).map { "\($0.process.name): \($1?.serving ?? 0) of \($0.range.count)" }
                throw FleetBenchError(
                    "the nodes were not all connected and subscribed within \(timeout) (\(progress.joined(separator: ", "))); see \(workers.first.map { ($0.process.log as NSString).deletingLastPathComponent } ?? ".")/worker-*.log")
            }
            try await Task.sleep(for: .milliseconds(20))
        }
    }

    /// Fresh counters from every worker: each is sent SIGUSR1 and answers with a new status.
    public func counters(timeout: Duration = .seconds(10)) async throws -> FleetNodeCounters {
        let before = statuses.map { $0?.sequence ?? 0 }
        for worker in workers { worker.process.signal(SIGUSR1) }
        let deadline = ContinuousClock.now + timeout
        while true {
            let current = statuses
            if zip(current, before).allSatisfy({ ($0?.sequence ?? 0) > $1 }) {
                return current.compactMap { $0?.counters }.reduce(FleetNodeCounters(), +)
            }
            guard ContinuousClock.now < deadline else {
                throw FleetBenchError("a fleet worker did not report its counters within \(timeout)")
            }
            try await Task.sleep(for: .milliseconds(5))
        }
    }

    /// Stops every worker (their nodes unsubscribe and disconnect) and returns their final counters.
    public func stop() async -> FleetNodeCounters {
        for worker in workers { worker.process.signal(SIGTERM) }
        for worker in workers { await worker.process.stop() }
        return statuses.compactMap { $0?.counters }.reduce(FleetNodeCounters(), +)
    }
}
