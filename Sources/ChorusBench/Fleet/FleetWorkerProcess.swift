import Dispatch
import ChorusClient
import Foundation
import Logging
import NIOCore
import Synchronization

/// The body of one fleet worker process (`chorus bench fleet-worker`, started by
/// `chorus bench fleet`): hosts a range of simulated nodes and reports through a status file.
///
/// - The status file is written while the nodes connect (progress), once all serve (with the
///   connect time), on every SIGUSR1 (fresh counters: the bench asks before and after each
///   scenario), and when stopping.
/// - SIGTERM or SIGINT stops the nodes (unsubscribe, DISCONNECT) and ends the process; so does
///   the bench process going away, so a killed bench leaves no fleet behind.
public struct FleetWorkerProcess: Sendable {
    public var kit: SimulatedNodeKit
    public var range: Range<Int>
    public var statusFile: String
    public var connectWindow: Int

    public init(kit: SimulatedNodeKit, range: Range<Int>, statusFile: String, connectWindow: Int = 256) {
        self.kit = kit
        self.range = range
        self.statusFile = statusFile
        self.connectWindow = connectWindow
    }

    public func run(group: any EventLoopGroup, logger: Logger) async {
        MachineLimits.raiseOpenFileLimit()
        let worker = FleetWorker(kit: kit, range: range, group: group, logger: logger)
        let reporter = StatusReporter(path: statusFile, worker: worker, logger: logger)
        reporter.publish(.connecting)
        let signals = WorkerSignals()
        let parent = getppid()

        await withDiscardingTaskGroup { tasks in
            tasks.addTask {
                await worker.run(connectWindow: connectWindow) { took in
                    reporter.served(after: took)
                }
            }
            tasks.addTask {
                // Progress while connecting; afterwards only on request.
                while reporter.phase == .connecting {
                    try? await Task.sleep(for: .milliseconds(250))
                    if reporter.phase == .connecting { reporter.publish(.connecting) }
                }
            }
            tasks.addTask {
                await Self.untilStopped(signals: signals, reporter: reporter, parent: parent)
                await worker.stop()
                reporter.publish(.stopped)
                signals.finish()
            }
        }
    }

    /// Answers SIGUSR1 with a fresh status until SIGTERM/SIGINT arrives or the bench (the
    /// parent process) goes away.
    private static func untilStopped(signals: WorkerSignals, reporter: StatusReporter, parent: pid_t) async {
        await withTaskGroup(of: Void.self) { race in
            race.addTask {
                for await event in signals.events {
                    guard case .report = event else { return }
                    reporter.publish(reporter.phase)
                }
            }
            race.addTask {
                while !Task.isCancelled && getppid() == parent {
                    try? await Task.sleep(for: .milliseconds(500))
                }
            }
            _ = await race.next()
            race.cancelAll()
        }
    }
}

/// Writes the worker's status file.
private final class StatusReporter: Sendable {
    private struct State {
        var phase: FleetWorkerStatus.Phase = .connecting
        var sequence = 0
        var connectMilliseconds: Double?
    }

    private let path: String
    private let worker: FleetWorker
    private let logger: Logger
    private let state = Mutex(State())

    init(path: String, worker: FleetWorker, logger: Logger) {
        self.path = path
        self.worker = worker
        self.logger = logger
    }

    var phase: FleetWorkerStatus.Phase { state.withLock { $0.phase } }

    func served(after took: Duration) {
        state.withLock {
            $0.connectMilliseconds = took.milliseconds
        }
        publish(.serving)
    }

    func publish(_ phase: FleetWorkerStatus.Phase) {
        let counters = worker.counters
        state.withLock { state in
            if state.phase != .stopped { state.phase = phase }
            state.sequence += 1
            let status = FleetWorkerStatus(
                pid: getpid(), phase: state.phase, nodes: worker.range.count, serving: worker.serving,
                connectMilliseconds: state.connectMilliseconds, sequence: state.sequence, counters: counters)
            do {
                try status.write(to: path)
            } catch {
                logger.error("cannot write the status file \(path): \(error)")
            }
        }
    }
}

/// SIGUSR1 (report) and SIGTERM/SIGINT (stop) as an event stream.
private final class WorkerSignals: Sendable {
    enum Event: Sendable { case report, stop }

    let events: AsyncStream<Event>
    private let continuation: AsyncStream<Event>.Continuation
    private let sources: Mutex<[any DispatchSourceSignal]>

    init() {
        (events, continuation) = AsyncStream.makeStream(of: Event.self)
        var installed: [any DispatchSourceSignal] = []
        for (number, event) in [(SIGUSR1, Event.report), (SIGTERM, .stop), (SIGINT, .stop)] {
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            let continuation = continuation
            source.setEventHandler { continuation.yield(event) }
            source.resume()
            installed.append(source)
        }
        sources = Mutex(installed)
    }

    func finish() {
        continuation.finish()
        sources.withLock { sources in
            for source in sources { source.cancel() }
        }
    }
}
