import ChorusBroker
import Foundation
import NIOCore

/// Measures how long node daemons (`chorus server`, MCollective's `mcollectived`) take from
/// being started until the broker holds their subscriptions, and how much memory each then
/// keeps: starts them one at a time and watches a Chorus broker's statistics endpoint, which
/// counts subscriptions whoever makes them. Every process is left running for the caller
/// (to measure requests against them) and stopped with `stop()`.
public final class StartupProbe: Sendable {
    /// One started daemon.
    public struct Started: Sendable {
        public let process: FleetChildProcess
        /// From `posix_spawn` until the broker counted its subscriptions.
        public let startup: Duration
        /// Resident memory once every daemon was up and idle.
        public var residentBytes: Int?
    }

    public let stats: StatsClient.Target
    /// Subscriptions one daemon makes (three for `rpcutil` and `discovery` with the activemq connector).
    public let subscriptionsPerProcess: Int
    public let group: any EventLoopGroup

    public init(stats: StatsClient.Target, subscriptionsPerProcess: Int, group: any EventLoopGroup) {
        self.stats = stats
        self.subscriptionsPerProcess = subscriptionsPerProcess
        self.group = group
    }

    /// Starts `command` once per index (`{n}` in an argument becomes the index), each after the
    /// previous one subscribed, then samples every process's memory after `settle`.
    public func run(command: [String], indices: ClosedRange<Int>, logDirectory: String, timeout: Duration, settle: Duration) async throws -> [Started] {
        guard let executable = command.first else { throw FleetBenchError("no command to start") }
        var started: [Started] = []
        for index in indices {
            let arguments = command.dropFirst().map { $0.replacingOccurrences(of: "{n}", with: String(index)) }
            let before = try await subscriptions()
            let clock = ContinuousClock()
            let spawned = clock.now
            let process = try FleetChildProcess(
                name: "\(executable) #\(index)", executable: executable, arguments: arguments, log: "\(logDirectory)/startup-\(index).log")
            while try await subscriptions() < before + subscriptionsPerProcess {
                guard process.isRunning else {
                    throw FleetBenchError("\(process.name) exited (status \(process.terminationStatus ?? -1)) before subscribing:\n\(process.logTail())")
                }
                guard clock.now - spawned < timeout else {
                    throw FleetBenchError("\(process.name) did not subscribe within \(timeout); see \(process.log)")
                }
                try await Task.sleep(for: .milliseconds(1))
            }
            started.append(Started(process: process, startup: clock.now - spawned))
        }
        try await Task.sleep(for: settle)
        for index in started.indices {
            started[index].residentBytes = ProcessUsage.sample(pid: started[index].process.pid)?.residentBytes
        }
        return started
    }

    private func subscriptions() async throws -> Int {
        do {
            return try await StatsClient.document(from: stats, group: group).stats["subscriptions"] ?? 0
        } catch {
            throw FleetBenchError("cannot read the broker's statistics at \(stats): \(error)")
        }
    }
}
