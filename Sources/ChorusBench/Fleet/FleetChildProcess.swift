import ChorusServer
import Foundation
import Synchronization

/// A process the bench starts (the broker, a fleet worker): `posix_spawn`ed with standard
/// output and error appended to a log file, reaped with `waitpid`, stopped with SIGTERM and,
/// after a grace period, SIGKILL. Every live child is listed in `FleetChildProcess.live`, so
/// an interrupted bench can stop them all.
public final class FleetChildProcess: Sendable {
    public let pid: pid_t
    public let name: String
    public let log: String
    private let exitStatus = Mutex<Int32?>(nil)

    /// Starts `executable` with `arguments`.
    public init(name: String, executable: String, arguments: [String], log: String) throws {
        do {
            pid = try LoggedSpawn.start(executable, arguments: arguments, log: log)
        } catch {
            throw FleetBenchError("\(name): \(error)")
        }
        self.name = name
        self.log = log
        Self.registry.withLock { $0[pid] = name }
    }

    /// True until the child has exited (reaps it when it has).
    public var isRunning: Bool {
        exitStatus.withLock { status in
            if status != nil { return false }
            var raw: Int32 = 0
            if waitpid(pid, &raw, WNOHANG) == pid {
                status = LoggedSpawn.exitCode(waitStatus: raw)
                Self.registry.withLock { _ = $0.removeValue(forKey: pid) }
                return false
            }
            return true
        }
    }

    /// The exit code (128 + signal when killed); nil while running.
    public var terminationStatus: Int32? {
        _ = isRunning
        return exitStatus.withLock { $0 }
    }

    /// Sends `signal` if the child still runs.
    public func signal(_ number: Int32) {
        if isRunning { kill(pid, number) }
    }

    /// SIGTERM, then SIGKILL after `grace`; returns once the child has exited.
    public func stop(grace: Duration = .seconds(20)) async {
        guard isRunning else { return }
        kill(pid, SIGTERM)
        let deadline = ContinuousClock.now + grace
        while isRunning && ContinuousClock.now < deadline { try? await Task.sleep(for: .milliseconds(10)) }
        if isRunning {
            kill(pid, SIGKILL)
            while isRunning { try? await Task.sleep(for: .milliseconds(10)) }
        }
    }

    /// The last `lines` lines of the child's log, for error messages.
    public func logTail(lines: Int = 5) -> String {
        guard let text = try? String(contentsOfFile: log, encoding: .utf8) else { return "" }
        return text.split(separator: "\n").suffix(lines).joined(separator: "\n")
    }

    private static let registry = Mutex<[pid_t: String]>([:])

    /// Kills every child still running (SIGKILL): for a bench interrupted by a signal.
    public static func killAll() {
        for pid in registry.withLock({ Array($0.keys) }) { kill(pid, SIGKILL) }
    }
}

/// Why the fleet bench could not run or finish; the message says what to do.
public struct FleetBenchError: Error, Sendable, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}
