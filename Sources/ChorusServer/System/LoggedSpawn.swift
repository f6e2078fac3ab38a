#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Starts a long-running child process (a broker, a node, a bench worker) whose standard output
/// and error are appended to a log file: `posix_spawn` with the argument vector as given (no
/// shell), standard input from `/dev/null`, and no other descriptor of the parent inherited
/// (``SpawnDescriptors``). Reaping is the caller's: keep the pid and `waitpid` it.
public enum LoggedSpawn {
    /// Why a child could not be started.
    public struct Failure: Error, Sendable, CustomStringConvertible {
        public let executable: String
        public let code: Int32
        public var description: String { "cannot start \(executable): \(String(cString: strerror(code)))" }
    }

    /// Starts `executable` with `arguments`; returns its pid.
    public static func start(_ executable: String, arguments: [String], log: String) throws(Failure) -> pid_t {
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
        guard result == 0 else { throw Failure(executable: executable, code: result) }
        return pid
    }

    /// A `waitpid` status as a shell reports it: the exit code, or 128 + the signal that killed it.
    public static func exitCode(waitStatus raw: Int32) -> Int32 {
        (raw & 0x7f) == 0 ? (raw >> 8) & 0xff : 128 + (raw & 0x7f)
    }
}
