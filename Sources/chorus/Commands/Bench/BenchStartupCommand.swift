import ArgumentParser
import ChorusBench
import ChorusBroker
import ChorusClient
import Foundation
import NIOPosix

/// `chorus bench startup`: how long node daemons take from start to subscribed, and their
/// memory: `chorus server` and MCollective's `mcollectived` measured the same way against one
/// Chorus broker's statistics. scripts/bench/fleet.sh runs it for both.
struct BenchStartupCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "startup",
        abstract: "Start node daemons one by one; report start-to-subscribed time and memory of each.",
        discussion: """
            Starts COMMAND --count times ({n} in an argument becomes 1, 2, …), each once the previous \
            one is subscribed: the time counted is from starting the process until the broker's \
            statistics (a chorus broker with --stats-listen) show --subscriptions more subscriptions. \
            After --settle seconds every process's resident memory is read from /proc. With \
            --pids-file the processes keep running (their pids are written there, one per line); \
            otherwise they are stopped (SIGTERM) at the end.

              chorus bench startup --stats 127.0.0.1:61680 --count 20 -- \\
                  chorus server -c /tmp/nodes/node{n}/server.cfg
            """)

    @Option(help: ArgumentHelp("The broker's statistics endpoint.", valueName: "host:port"))
    var stats: String

    @Option(help: "Processes to start.")
    var count: Int = 20

    @Option(help: "Subscriptions one process makes (3: its directed queue, rpcutil and discovery).")
    var subscriptions: Int = 3

    @Option(help: "Seconds one process may take to subscribe.")
    var timeout: Double = 120

    @Option(help: "Seconds to wait after the last one before reading memory.")
    var settle: Double = 2

    @Option(help: "Leave the processes running and write their pids here.")
    var pidsFile: String?

    @Option(help: "Where the processes' output goes.")
    var logDirectory: String = NSTemporaryDirectory()

    @Flag(help: "Also print the figures as one JSON object on the last line.")
    var json = false

    @Argument(parsing: .captureForPassthrough, help: "The command, after --.")
    var command: [String] = []

    func run() async throws {
        let arguments = command.first == "--" ? Array(command.dropFirst()) : command
        guard !arguments.isEmpty, count >= 1 else { throw ValidationFailure("chorus bench startup: give --count ≥ 1 and a command after --") }
        let target: StatsClient.Target
        do { target = try StatsClient.Target(url: stats) } catch { throw ValidationFailure("--stats: \(error)") }
        let probe = StartupProbe(stats: target, subscriptionsPerProcess: subscriptions, group: MultiThreadedEventLoopGroup.singleton)
        let started: [StartupProbe.Started]
        do {
            started = try await probe.run(
                command: arguments, indices: 1...count, logDirectory: logDirectory,
                timeout: .milliseconds(Int(timeout * 1000)), settle: .milliseconds(Int(settle * 1000)))
        } catch {
            FleetChildProcess.killAll()
            throw ValidationFailure("chorus bench startup: \(error)")
        }
        let times = started.map(\.startup.milliseconds).sorted()
        let memory = started.compactMap(\.residentBytes).sorted()
        for (index, process) in started.enumerated() {
            let rss = process.residentBytes.map { String(format: "%.1f MiB", Double($0) / 1_048_576) } ?? "-"
            print("\(index + 1)\tpid \(process.process.pid)\t\(String(format: "%.1f", process.startup.milliseconds)) ms to subscribed\t\(rss)")
        }
        let median = { (values: [Double]) in values.isEmpty ? 0 : values[(values.count - 1) / 2] }
        print(String(
            format: "%d processes: start to subscribed median %.1f ms, max %.1f ms; resident memory median %.1f MiB, max %.1f MiB",
            started.count, median(times), times.last ?? 0, median(memory.map(Double.init)) / 1_048_576,
            Double(memory.last ?? 0) / 1_048_576))
        if let pidsFile {
            try started.map { String($0.process.pid) }.joined(separator: "\n").appending("\n").write(toFile: pidsFile, atomically: true, encoding: .utf8)
        } else {
            for process in started { await process.process.stop() }
        }
        if json {
            let each = started.map { "{\"pid\":\($0.process.pid),\"startup_ms\":\(String(format: "%.3f", $0.startup.milliseconds)),\"rss_bytes\":\($0.residentBytes ?? 0)}" }
            print(
                "{\"processes\":\(started.count),\"startup_ms_median\":\(String(format: "%.3f", median(times))),\"startup_ms_max\":\(String(format: "%.3f", times.last ?? 0)),"
                    + "\"rss_bytes_median\":\(Int(median(memory.map(Double.init)))),\"rss_bytes_max\":\(memory.last ?? 0),\"each\":[\(each.joined(separator: ","))]}")
        }
    }
}
