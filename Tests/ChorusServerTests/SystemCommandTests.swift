import ChorusServer
import Foundation
import Testing

@Suite("SystemCommand runs programs without a shell")
struct SystemCommandTests {
    @Test("arguments reach the program verbatim, metacharacters included")
    func argumentsAreNotInterpreted() async throws {
        let hostile = "x; touch /tmp/chorus-pwned-\(getpid()) && echo `id` $(id) | cat > /dev/null"
        let result = try await SystemCommand("printf", ["%s\\n", hostile]).run()
        #expect(result.succeeded)
        #expect(result.standardOutput == hostile + "\n")
        #expect(!FileManager.default.fileExists(atPath: "/tmp/chorus-pwned-\(getpid())"))
    }

    @Test("exit status, standard error and standard input")
    func statusErrorAndInput() async throws {
        let failing = try await SystemCommand("sh", ["-c", "echo oops >&2; exit 3"]).run()
        #expect(failing.exitStatus == 3)
        #expect(!failing.succeeded)
        #expect(failing.standardError == "oops\n")
        #expect(failing.outcomeDescription == "exited with status 3")

        let echoed = try await SystemCommand("cat", standardInput: Array("hello\nworld".utf8)).run()
        #expect(echoed.standardOutput == "hello\nworld")
    }

    @Test("a command past its timeout is killed with its process group")
    func timeoutKillsTheGroup() async throws {
        let started = ContinuousClock.now
        let result = try await SystemCommand("sh", ["-c", "sleep 60 & sleep 60"], timeout: .milliseconds(300)).run()
        #expect(result.timedOut)
        #expect(result.signal == SIGTERM)
        // Generous: other suites may hold the cooperative pool for seconds; a hang would be 60 s.
        #expect(ContinuousClock.now - started < .seconds(30))
    }

    @Test("a daemon left holding the output pipe does not keep the caller waiting")
    func daemonHoldingPipes() async throws {
        let started = ContinuousClock.now
        let result = try await SystemCommand("sh", ["-c", "(sleep 60 &) ; echo started"]).run()
        #expect(result.succeeded)
        #expect(result.standardOutput == "started\n")
        // Generous: other suites may hold the cooperative pool for seconds; a hang would be 60 s.
        #expect(ContinuousClock.now - started < .seconds(30))
    }

    @Test("cancelling the calling task ends the command's process group")
    func cancellation() async throws {
        let task = Task { try await SystemCommand("sleep", ["60"]).run() }
        try await Task.sleep(for: .milliseconds(300))
        task.cancel()
        let result = try await task.value
        #expect(result.signal == SIGTERM)
    }

    @Test("a program that exits without reading its input does not take the caller down with SIGPIPE")
    func unreadInput() async throws {
        let result = try await SystemCommand("true", standardInput: [UInt8](repeating: 65, count: 4 << 20)).run()
        #expect(result.succeeded)
    }

    @Test("output beyond the limit is cut and flagged")
    func outputLimit() async throws {
        let result = try await SystemCommand("head", ["-c", "100000", "/dev/zero"], outputLimit: 1000).run()
        #expect(result.standardOutput.utf8.count == 1000)
        #expect(result.outputTruncated)
    }

    @Test("a missing program is a clear error")
    func missingProgram() async throws {
        await #expect(throws: SystemCommandError.notFound("chorus-no-such-program")) {
            try await SystemCommand("chorus-no-such-program").run()
        }
        #expect(SystemCommandError.notFound("x").description.contains("cannot find the program 'x'"))
    }
}
