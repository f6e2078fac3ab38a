import ChorusServer
import Foundation
import Synchronization

/// A long-running child (a broker, a node) started with `posix_spawn` and reaped with
/// `waitpid`. The test process never uses Foundation's `Process`: mixing it with direct
/// `waitpid` calls elsewhere in the same process aborted the test binary now and then.
public final class ChildProcess: Sendable {
    public let pid: pid_t
    private let exitStatus = Mutex<Int32?>(nil)

    /// Starts `executable` with `arguments`, standard output and error appended to `log`.
    public init(executable: String, arguments: [String], log: String) throws {
        do {
            pid = try LoggedSpawn.start(executable, arguments: arguments, log: log)
        } catch {
            throw FleetError(error.description)
        }
        ProcessReaper.shared.track(pid)
    }

    /// True until the child has exited (reaps it when it has).
    public var isRunning: Bool {
        exitStatus.withLock { status in
            if status != nil { return false }
            var raw: Int32 = 0
            if waitpid(pid, &raw, WNOHANG) == pid {
                status = LoggedSpawn.exitCode(waitStatus: raw)
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

    /// SIGTERM, then SIGKILL after `grace` seconds; waits for the exit.
    public func stop(grace: Double = 15) {
        guard isRunning else { return }
        kill(pid, SIGTERM)
        let deadline = Date().addingTimeInterval(grace)
        while isRunning && Date() < deadline { usleep(10_000) }
        if isRunning {
            kill(pid, SIGKILL)
            while isRunning { usleep(10_000) }
        }
        ProcessReaper.shared.untrack(pid)
    }

}
