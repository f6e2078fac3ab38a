import ChorusServer
import Foundation

/// What a `chorus` command printed and how it exited.
public struct CommandResult: Sendable {
    public var stdout: String
    public var stderr: String
    public var status: Int32
    public var seconds: Double

    public var lines: [String] { stdout.split(separator: "\n", omittingEmptySubsequences: true).map(String.init) }

    /// Runs `chorus` with `arguments`, optionally feeding standard input; 60 s at most.
    public static func run(_ arguments: [String], stdin: String? = nil) async throws -> CommandResult {
        try await run(executable: Fleet.executable, arguments, stdin: stdin)
    }

    /// Runs any program (the real `mco`, the interop scripts) the same way.
    ///
    /// Uses `posix_spawn` and `waitpid` directly: programs that leave daemons behind (the
    /// interop scripts start brokers and nodes) confuse Foundation's `Process`, which then
    /// never notices the exit. Output goes to files, not pipes, for the same reason: a
    /// daemon that inherits a pipe would keep the reader waiting forever.
    public static func run(executable: String, _ arguments: [String], stdin: String? = nil, environment extra: [String: String] = [:], timeout: Double = 60) async throws -> CommandResult {
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("chorus-run-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: scratch) }
        let outPath = scratch.appendingPathComponent("stdout").path
        let errPath = scratch.appendingPathComponent("stderr").path
        let inPath = scratch.appendingPathComponent("stdin").path
        try (stdin ?? "").write(toFile: inPath, atomically: true, encoding: .utf8)

        var environment = ProcessInfo.processInfo.environment
        environment["NO_COLOR"] = "1"
        environment.removeValue(forKey: "CHORUS_CONFIG")
        environment.merge(extra) { $1 }

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, stdin == nil ? "/dev/null" : inPath, O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, outPath, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_addopen(&actions, 2, errPath, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        SpawnDescriptors.closeAllAboveStandardStreams(&actions)

        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            for pointer in argv { free(pointer) }
            for pointer in envp { free(pointer) }
        }
        let started = Date()
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, executable, &actions, nil, argv, envp)
        guard spawned == 0 else { throw FleetError("cannot run \(executable): \(String(cString: strerror(spawned)))") }
        ProcessReaper.shared.track(pid)
        defer { ProcessReaper.shared.untrack(pid) }

        var status: Int32 = 0
        let deadline = Date().addingTimeInterval(timeout)
        var exited = false
        while !exited {
            let result = waitpid(pid, &status, WNOHANG)
            if result == pid {
                exited = true
            } else if result < 0 {
                break
            } else if Date() > deadline {
                kill(pid, SIGTERM)
                try await Task.sleep(for: .milliseconds(200))
                kill(pid, SIGKILL)
                _ = waitpid(pid, &status, 0)
                exited = true
            } else {
                try await Task.sleep(for: .milliseconds(5))
            }
        }
        let exitCode = LoggedSpawn.exitCode(waitStatus: status)
        let stdoutData = (try? Data(contentsOf: URL(fileURLWithPath: outPath))) ?? Data()
        let stderrData = (try? Data(contentsOf: URL(fileURLWithPath: errPath))) ?? Data()
        return CommandResult(
            stdout: String(decoding: stdoutData, as: UTF8.self), stderr: String(decoding: stderrData, as: UTF8.self),
            status: exitCode, seconds: Date().timeIntervalSince(started))
    }
}
