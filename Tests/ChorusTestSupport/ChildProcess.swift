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
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, log, O_WRONLY | O_CREAT | O_APPEND, 0o644)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        SpawnDescriptors.closeAllAboveStandardStreams(&actions)
        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        defer { for pointer in argv { free(pointer) } }
        var pid: pid_t = 0
        let result = posix_spawn(&pid, executable, &actions, nil, argv, environ)
        guard result == 0 else { throw FleetError("cannot start \(executable): \(String(cString: strerror(result)))") }
        self.pid = pid
        ProcessReaper.shared.track(pid)
    }

    /// True until the child has exited (reaps it when it has).
    public var isRunning: Bool {
        exitStatus.withLock { status in
            if status != nil { return false }
            var raw: Int32 = 0
            if waitpid(pid, &raw, WNOHANG) == pid {
                status = Self.decode(raw)
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

    private static func decode(_ raw: Int32) -> Int32 {
        (raw & 0x7f) == 0 ? (raw >> 8) & 0xff : 128 + (raw & 0x7f)
    }
}
