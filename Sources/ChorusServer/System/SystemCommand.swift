import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// A program an agent runs on the node: an executable and its arguments, never a shell line.
///
/// Agents that drive the system (dpkg, apt-get, service scripts, puppet) build a
/// `SystemCommand` and `run()` it. Arguments go to `execve` as they are, so shell
/// metacharacters in a request's inputs are inert: there is no shell to interpret them.
///
/// The child gets its own process group; on timeout the whole group gets SIGTERM, then
/// SIGKILL after a grace period. Output is read until the child exits; a daemon the child
/// left behind that still holds the pipes does not keep the agent waiting.
public struct SystemCommand: Sendable, Hashable, CustomStringConvertible {
    /// An absolute path, or a name looked up on the environment's `PATH`.
    public var executable: String
    public var arguments: [String]
    /// The child's whole environment (nothing is inherited implicitly).
    public var environment: [String: String]
    /// Bytes written to the child's standard input, which is then closed (/dev/null when nil).
    public var standardInput: [UInt8]?
    /// The longest the command may run before its process group is terminated.
    public var timeout: Duration
    /// The most bytes kept of each of standard output and standard error; the rest is discarded.
    public var outputLimit: Int

    /// The environment agents run commands with: a fixed `PATH`, the C locale, and `HOME`.
    public static let defaultEnvironment: [String: String] = [
        "PATH": "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
        "LANG": "C", "LC_ALL": "C", "HOME": "/root",
    ]

    public init(
        _ executable: String, _ arguments: [String] = [], environment: [String: String] = SystemCommand.defaultEnvironment,
        standardInput: [UInt8]? = nil, timeout: Duration = .seconds(60), outputLimit: Int = 4 << 20
    ) {
        self.executable = executable
        self.arguments = arguments
        self.environment = environment
        self.standardInput = standardInput
        self.timeout = timeout
        self.outputLimit = outputLimit
    }

    /// The command as a person would type it (arguments with spaces or quotes are single-quoted).
    public var description: String {
        ([executable] + arguments).map(Self.quoted).joined(separator: " ")
    }

    private static func quoted(_ word: String) -> String {
        let plain = !word.isEmpty && word.unicodeScalars.allSatisfy {
            ("a"..."z").contains($0) || ("A"..."Z").contains($0) || ("0"..."9").contains($0) || "-_./=:,+@%".unicodeScalars.contains($0)
        }
        return plain ? word : "'" + word.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }

    /// The executable's absolute path, or nil when it is not found or not executable.
    public func resolvedExecutable() -> String? {
        if executable.contains("/") { return access(executable, X_OK) == 0 ? executable : nil }
        let path = environment["PATH"] ?? Self.defaultEnvironment["PATH"]!
        for directory in path.split(separator: ":") {
            let candidate = "\(directory)/\(executable)"
            if access(candidate, X_OK) == 0 { return candidate }
        }
        return nil
    }

    /// Runs the command to completion (or timeout) on a thread of its own. Cancelling the
    /// calling task ends the command as a timeout does (SIGTERM to its process group, then SIGKILL).
    public func run() async throws(SystemCommandError) -> SystemCommandResult {
        let command = self
        let cancellation = CancellationFlag()
        let outcome: Result<SystemCommandResult, SystemCommandError> = await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                let thread = CommandThread {
                    continuation.resume(returning: Result { () throws(SystemCommandError) in try command.runBlocking(cancellation: cancellation) })
                }
                thread.start()
            }
        } onCancel: {
            cancellation.cancel()
        }
        return try outcome.get()
    }

    /// Runs the command on the calling thread, blocking it.
    public func runBlocking() throws(SystemCommandError) -> SystemCommandResult {
        try runBlocking(cancellation: nil)
    }

    private func runBlocking(cancellation: CancellationFlag?) throws(SystemCommandError) -> SystemCommandResult {
        if standardInput != nil { SignalDisposition.ignoreBrokenPipes() }
        guard let path = resolvedExecutable() else { throw .notFound(executable) }
        let started = ContinuousClock.now
        var input: [Int32] = [-1, -1], output: [Int32] = [-1, -1], errors: [Int32] = [-1, -1]
        guard pipe(&output) == 0, pipe(&errors) == 0, standardInput == nil || pipe(&input) == 0 else {
            for fd in input + output + errors where fd >= 0 { close(fd) }
            throw .spawnFailed(description, errno)
        }
        // Close-on-exec, so commands other threads start meanwhile do not inherit these pipes
        // (pipe2 is not exported by the Glibc module; the window until fcntl is tiny).
        for fd in input + output + errors where fd >= 0 { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        if standardInput == nil {
            posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        } else {
            posix_spawn_file_actions_adddup2(&actions, input[0], 0)
        }
        posix_spawn_file_actions_adddup2(&actions, output[1], 1)
        posix_spawn_file_actions_adddup2(&actions, errors[1], 2)
        SpawnDescriptors.closeAllAboveStandardStreams(&actions)

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        posix_spawnattr_setpgroup(&attributes, 0)
        var defaultSignals = sigset_t()
        sigemptyset(&defaultSignals)
        for signal in [SIGPIPE, SIGINT, SIGTERM, SIGHUP, SIGCHLD] { sigaddset(&defaultSignals, signal) }
        posix_spawnattr_setsigdefault(&attributes, &defaultSignals)
        var noSignals = sigset_t()
        sigemptyset(&noSignals)
        posix_spawnattr_setsigmask(&attributes, &noSignals)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK))

        let argv = ([path] + arguments).map { strdup($0) } + [nil]
        let envp = environment.sorted { $0.key < $1.key }.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            for pointer in argv { free(pointer) }
            for pointer in envp { free(pointer) }
        }
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, path, &actions, &attributes, argv, envp)
        close(output[1])
        close(errors[1])
        if input[0] >= 0 { close(input[0]) }
        guard spawned == 0 else {
            close(output[0])
            close(errors[0])
            if input[1] >= 0 { close(input[1]) }
            throw .spawnFailed(description, spawned)
        }

        var session = ChildSession(pid: pid, stdout: output[0], stderr: errors[0], stdin: input[1], input: standardInput ?? [], limit: outputLimit)
        let status = session.wait(deadline: started.advanced(by: timeout), cancellation: cancellation)
        return SystemCommandResult(
            command: description, exitStatus: status.exit, signal: status.signal, timedOut: status.timedOut,
            standardOutput: String(decoding: session.stdoutBytes, as: UTF8.self),
            standardError: String(decoding: session.stderrBytes, as: UTF8.self),
            outputTruncated: session.truncated, duration: ContinuousClock.now - started)
    }
}

/// How a command ended and what it printed.
public struct SystemCommandResult: Sendable, Hashable {
    /// The command line, for messages.
    public var command: String
    /// The exit status, nil when a signal ended the process.
    public var exitStatus: Int32?
    /// The signal that ended the process, if one did.
    public var signal: Int32?
    /// True when the command ran past its timeout and was killed.
    public var timedOut: Bool
    public var standardOutput: String
    public var standardError: String
    /// True when either stream exceeded the output limit.
    public var outputTruncated: Bool
    public var duration: Duration

    public init(command: String, exitStatus: Int32?, signal: Int32?, timedOut: Bool, standardOutput: String, standardError: String, outputTruncated: Bool, duration: Duration) {
        self.command = command
        self.exitStatus = exitStatus
        self.signal = signal
        self.timedOut = timedOut
        self.standardOutput = standardOutput
        self.standardError = standardError
        self.outputTruncated = outputTruncated
        self.duration = duration
    }

    /// Exited with status 0.
    public var succeeded: Bool { exitStatus == 0 && !timedOut }

    /// Standard output then standard error, trimmed: what a person wants to see of a failure.
    public var combinedOutput: String {
        [standardOutput, standardError].map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }
            .filter { !$0.isEmpty }.joined(separator: "\n")
    }

    /// "exited with status 3", "was killed by signal 9", "timed out after 60 s".
    public var outcomeDescription: String {
        if timedOut { return "timed out after \(duration.components.seconds) s" }
        if let signal { return "was killed by signal \(signal)" }
        return "exited with status \(exitStatus ?? -1)"
    }
}

/// Why a command could not be started.
public enum SystemCommandError: Error, Sendable, Hashable, CustomStringConvertible {
    case notFound(String)
    case spawnFailed(String, Int32)

    public var description: String {
        switch self {
        case .notFound(let name): return "cannot find the program '\(name)' (is it installed and on PATH?)"
        case .spawnFailed(let command, let code): return "cannot start \(command): \(String(cString: strerror(code)))"
        }
    }
}

/// A running child: feeds its input, drains its output, reaps it.
private struct ChildSession {
    let pid: pid_t
    var stdout: Int32
    var stderr: Int32
    var stdin: Int32
    let input: [UInt8]
    var written = 0
    let limit: Int
    var stdoutBytes: [UInt8] = []
    var stderrBytes: [UInt8] = []
    var truncated = false

    init(pid: pid_t, stdout: Int32, stderr: Int32, stdin: Int32, input: [UInt8], limit: Int) {
        self.pid = pid
        self.stdout = stdout
        self.stderr = stderr
        self.stdin = stdin
        self.input = input
        self.limit = limit
        for fd in [stdout, stderr, stdin] where fd >= 0 { _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK) }
        if stdin >= 0 && input.isEmpty { closeInput() }
    }

    /// Pumps the pipes until the child exits (then drains what is buffered) or the deadline passes.
    mutating func wait(deadline: ContinuousClock.Instant, cancellation: CancellationFlag?) -> (exit: Int32?, signal: Int32?, timedOut: Bool) {
        var timedOut = false
        var raw: Int32 = 0
        var killedAt: ContinuousClock.Instant?
        while true {
            let reaped = waitpid(pid, &raw, WNOHANG)
            if reaped == pid || (reaped < 0 && errno == ECHILD) { break }
            let now = ContinuousClock.now
            if killedAt == nil && (now >= deadline || cancellation?.isCancelled == true) {
                timedOut = true
                killedAt = now
                kill(-pid, SIGTERM)
            } else if let killedAt, now - killedAt > .seconds(2) {
                kill(-pid, SIGKILL)
            }
            pump(waitMilliseconds: 20)
        }
        drain()
        for fd in [stdout, stderr] where fd >= 0 { close(fd) }
        closeInput()
        if (raw & 0x7f) == 0 { return ((raw >> 8) & 0xff, nil, timedOut) }
        return (nil, raw & 0x7f, timedOut)
    }

    private mutating func closeInput() {
        if stdin >= 0 {
            close(stdin)
            stdin = -1
        }
    }

    private mutating func pump(waitMilliseconds: Int32) {
        var fds = [pollfd]()
        if stdout >= 0 { fds.append(pollfd(fd: stdout, events: Int16(POLLIN), revents: 0)) }
        if stderr >= 0 { fds.append(pollfd(fd: stderr, events: Int16(POLLIN), revents: 0)) }
        if stdin >= 0 { fds.append(pollfd(fd: stdin, events: Int16(POLLOUT), revents: 0)) }
        guard !fds.isEmpty else {
            usleep(UInt32(waitMilliseconds) * 1000)
            return
        }
        _ = poll(&fds, nfds_t(fds.count), waitMilliseconds)
        for entry in fds where entry.revents != 0 {
            if entry.fd == stdin {
                writeInput()
            } else {
                readAvailable(from: entry.fd)
            }
        }
    }

    private mutating func writeInput() {
        let count = input[written...].withUnsafeBytes { write(stdin, $0.baseAddress, $0.count) }
        if count > 0 { written += count }
        if count < 0 && errno != EAGAIN { closeInput() }
        if written >= input.count { closeInput() }
    }

    /// Reads what is there now without blocking; closes the descriptor at end of file.
    private mutating func readAvailable(from fd: Int32) {
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if count > 0 {
                append(buffer[..<count], from: fd)
                continue
            }
            if count == 0 {
                close(fd)
                if fd == stdout { stdout = -1 } else { stderr = -1 }
            }
            return
        }
    }

    private mutating func drain() {
        if stdout >= 0 { readAvailable(from: stdout) }
        if stderr >= 0 { readAvailable(from: stderr) }
    }

    private mutating func append(_ bytes: ArraySlice<UInt8>, from fd: Int32) {
        if fd == stdout {
            let room = max(0, limit - stdoutBytes.count)
            stdoutBytes.append(contentsOf: bytes.prefix(room))
            if bytes.count > room { truncated = true }
        } else {
            let room = max(0, limit - stderrBytes.count)
            stderrBytes.append(contentsOf: bytes.prefix(room))
            if bytes.count > room { truncated = true }
        }
    }
}

/// Set when the task running a command is cancelled; the waiting loop polls it.
private final class CancellationFlag: Sendable {
    private let flag = Mutex(false)
    var isCancelled: Bool { flag.withLock { $0 } }
    func cancel() { flag.withLock { $0 = true } }
}

/// Writing to a child that exited without reading its input raises SIGPIPE, whose default
/// action would end the whole node; a write error is what the session wants instead.
private enum SignalDisposition {
    private static let ignored: Void = { _ = signal(SIGPIPE, SIG_IGN) }()
    static func ignoreBrokenPipes() { ignored }
}

/// A plain pthread for one blocking command, so waiting never occupies a Swift concurrency thread.
private final class CommandThread: @unchecked Sendable {
    private let body: () -> Void

    init(_ body: @escaping @Sendable () -> Void) { self.body = body }

    func start() {
        let retained = Unmanaged.passRetained(self)
        var thread = pthread_t()
        let created = pthread_create(&thread, nil, { context in
            let this = Unmanaged<CommandThread>.fromOpaque(context!).takeRetainedValue()
            this.body()
            return nil
        }, retained.toOpaque())
        if created == 0 {
            pthread_detach(thread)
        } else {
            retained.release()
            body()
        }
    }
}
