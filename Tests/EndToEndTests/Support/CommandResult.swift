import Foundation

/// What a `chorus` command printed and how it exited.
struct CommandResult: Sendable {
    var stdout: String
    var stderr: String
    var status: Int32
    var seconds: Double

    var lines: [String] { stdout.split(separator: "\n", omittingEmptySubsequences: true).map(String.init) }

    /// Runs `chorus` with `arguments`, optionally feeding standard input; 60 s at most.
    static func run(_ arguments: [String], stdin: String? = nil) async throws -> CommandResult {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Fleet.executable)
        process.arguments = arguments
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        let input = Pipe()
        process.standardInput = stdin == nil ? FileHandle.nullDevice : input
        var environment = ProcessInfo.processInfo.environment
        environment["NO_COLOR"] = "1"
        environment.removeValue(forKey: "CHORUS_CONFIG")
        process.environment = environment
        let started = Date()
        try process.run()
        ProcessReaper.shared.track(process.processIdentifier)
        if let stdin {
            input.fileHandleForWriting.write(Data(stdin.utf8))
            try input.fileHandleForWriting.close()
        }
        async let outData = Task.detached { out.fileHandleForReading.readDataToEndOfFile() }.value
        async let errData = Task.detached { err.fileHandleForReading.readDataToEndOfFile() }.value
        let (stdoutData, stderrData) = await (outData, errData)
        let deadline = Date().addingTimeInterval(60)
        while process.isRunning && Date() < deadline { try await Task.sleep(for: .milliseconds(5)) }
        if process.isRunning { process.terminate() }
        process.waitUntilExit()
        ProcessReaper.shared.untrack(process.processIdentifier)
        return CommandResult(
            stdout: String(decoding: stdoutData, as: UTF8.self), stderr: String(decoding: stderrData, as: UTF8.self),
            status: process.terminationStatus, seconds: Date().timeIntervalSince(started))
    }
}
