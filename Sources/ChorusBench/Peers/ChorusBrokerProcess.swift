import ChorusServer
import Foundation

/// A `chorus broker` the benchmark starts for itself: a child process of the same
/// executable, listening on a free loopback port it reports through `--port-file`.
public final class ChorusBrokerProcess: Sendable {
    /// The child's process id (the one to sample).
    public let pid: Int32
    /// The port it listens on.
    public let port: Int
    /// Where its log goes.
    public let logPath: String
    private let directory: String

    /// Starts `executable broker --listen 127.0.0.1:0 --port-file …` and waits (up to
    /// `timeout` seconds) for the port. Extra broker arguments (e.g. `--config FILE`) go last.
    public static func start(executable: String, arguments extra: [String] = [], timeout: Double = 15) async throws -> ChorusBrokerProcess {
        let directory = NSTemporaryDirectory() + "chorus-bench-broker-\(getpid())-\(UInt32.random(in: .min ... .max))"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let portFile = directory + "/port"
        let log = directory + "/broker.log"
        let arguments = ["broker", "--listen", "127.0.0.1:0", "--port-file", portFile, "--loglevel", "warning"] + extra
        let pid: Int32
        do {
            pid = try LoggedSpawn.start(executable, arguments: arguments, log: log)
        } catch {
            throw BrokerTargetError("chorus broker: \(error)")
        }
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if let text = try? String(contentsOfFile: portFile, encoding: .utf8),
               let port = text.split(separator: "\n").first.flatMap({ Int($0) }) {
                return ChorusBrokerProcess(pid: pid, port: port, logPath: log, directory: directory)
            }
            var status: Int32 = 0
            if waitpid(pid, &status, WNOHANG) == pid {
                let output = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
                throw BrokerTargetError("chorus broker exited at start: \(output.suffix(500))")
            }
            try await Task.sleep(for: .milliseconds(20))
        }
        kill(pid, SIGKILL)
        _ = waitpid(pid, nil, 0)
        throw BrokerTargetError("chorus broker did not report its port within \(Int(timeout)) s (log: \(log))")
    }

    private init(pid: Int32, port: Int, logPath: String, directory: String) {
        self.pid = pid
        self.port = port
        self.logPath = logPath
        self.directory = directory
    }

    /// The target to measure: this broker on 127.0.0.1, sampled by its pid.
    public var target: BrokerTarget {
        BrokerTarget(kind: .chorus, host: "127.0.0.1", port: port, pid: pid)
    }

    /// SIGTERM, SIGKILL after `grace` seconds; reaps it and removes its directory (keeps
    /// nothing: the log is only for a failed start).
    public func stop(grace: Double = 10) {
        kill(pid, SIGTERM)
        let deadline = Date().addingTimeInterval(grace)
        var status: Int32 = 0
        while waitpid(pid, &status, WNOHANG) == 0 {
            if Date() > deadline {
                kill(pid, SIGKILL)
                _ = waitpid(pid, &status, 0)
                break
            }
            usleep(10_000)
        }
        try? FileManager.default.removeItem(atPath: directory)
    }
}
