import ArgumentParser
import ChorusBroker
import Foundation
import NIOPosix

/// `chorus broker stats`: a running broker's statistics, fetched from its HTTP endpoint
/// (`stats.listen`) and printed as a table, as JSON, or as rates every few seconds.
///
/// Exit status: 0 printed, 1 no statistics (nothing answers at the address, the configuration
/// has no usable `stats.listen`, or the answer is not a statistics document), 2 usage (an option
/// without its value is ArgumentParser's error, 64).
struct BrokerStatsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stats",
        abstract: "Show a running broker's statistics (from its stats.listen HTTP endpoint).",
        discussion: """
            Fetches GET /stats from the broker's statistics endpoint and prints connections, \
            messages by destination kind (topic, queue, exchange) in and out, drops, expiries \
            and unrouted messages, security refusals and limits. The broker serves it only when \
            started with stats.listen = HOST:PORT in its configuration file or \
            --stats-listen HOST:PORT (a port alone = 127.0.0.1:PORT).

            Where to ask: --url (default \(StatsClient.Target.defaultURL)), or --config with the \
            broker's configuration file, whose stats.listen is used (0.0.0.0 and :: are reached \
            on loopback).

            --json prints the document as the broker sent it (docs/BROKER.md lists its fields). \
            --watch SECONDS prints the totals once, then every SECONDS the changes per second \
            (gauges such as open connections as they are), until interrupted or --count reports.

            Exit status: 0 printed; 1 no statistics (nothing answers, no stats.listen in the \
            file, or not a statistics document); 2 usage.
            """)

    @Option(help: ArgumentHelp("The statistics endpoint, http://HOST:PORT.", valueName: "url"))
    var url: String?

    @Option(name: [.short, .long], help: ArgumentHelp("The broker's configuration file; its stats.listen is used.", valueName: "file"))
    var config: String?

    @Flag(help: "Print the JSON document as the broker sent it.")
    var json = false

    @Option(help: ArgumentHelp("Print rates every SECONDS (0.1 or more) until interrupted.", valueName: "seconds"))
    var watch: String?

    @Option(help: ArgumentHelp("With --watch, stop after this many reports (the first included).", valueName: "n"))
    var count: String?

    /// Anything else on the command line: a usage error (exit 2) rather than ArgumentParser's 64.
    @Argument(parsing: .allUnrecognized, help: .hidden)
    var unexpected: [String] = []

    /// Exit status for a usage error (ArgumentParser's own errors exit 64).
    static let usageStatus: Int32 = 2

    func validate() throws {
        do {
            _ = try settings()
        } catch let error as ValidationFailure {
            let usage = "Usage: chorus broker stats [--url <url> | --config <file>] [--json] [--watch <seconds> [--count <n>]]"
            FileHandle.standardError.write(Data("chorus broker stats: \(error)\n\(usage)\n".utf8))
            throw ExitCode(Self.usageStatus)
        }
    }

    /// The options, checked: where to ask, the interval and the number of reports.
    private func settings() throws -> (target: StatsClient.Target?, interval: Double?, reports: Int?) {
        if let first = unexpected.first { throw ValidationFailure("unexpected argument '\(first)'") }
        if url != nil, config != nil { throw ValidationFailure("give --url or --config, not both") }
        var interval: Double?
        if let watch {
            guard let seconds = Double(watch), seconds.isFinite, seconds >= 0.1 else {
                throw ValidationFailure("--watch expects seconds (0.1 or more), not '\(watch)'")
            }
            interval = seconds
        }
        var reports: Int?
        if let count {
            guard interval != nil else { throw ValidationFailure("--count only goes with --watch") }
            guard let number = Int(count), number >= 1 else {
                throw ValidationFailure("--count expects a whole number of at least 1, not '\(count)'")
            }
            reports = number
        }
        var target: StatsClient.Target?
        if config == nil {
            do {
                target = try StatsClient.Target(url: url ?? StatsClient.Target.defaultURL)
            } catch {
                throw ValidationFailure("--url: \(error)")
            }
        }
        return (target, interval, reports)
    }

    func run() async throws {
        let (given, interval, reports) = try settings()
        let target = try given ?? configuredTarget()
        let renderer = BrokerStatsRenderer(style: TerminalStyle(colour: isatty(STDOUT_FILENO) == 1 && !noColour))
        var previous = try await fetch(target)
        emit(json ? String(decoding: previous.json, as: UTF8.self) : renderer.report(previous.document))
        guard let interval else { return }
        var printed = 1
        while reports.map({ printed < $0 }) ?? true {
            try await Task.sleep(for: .milliseconds(Int64(interval * 1000)))
            let current = try await fetch(target)
            if json {
                emit(String(decoding: current.json, as: UTF8.self))
            } else if current.document.uptimeSeconds < previous.document.uptimeSeconds
                || current.document.pid != previous.document.pid
            {
                emit("\nthe broker restarted\n" + renderer.report(current.document))
            } else {
                emit("\n" + renderer.rates(from: previous.document, to: current.document, time: Self.clock()))
            }
            previous = current
            printed += 1
        }
    }

    /// The endpoint named by the configuration file's `stats.listen`.
    private func configuredTarget() throws -> StatsClient.Target {
        guard let config else { return try StatsClient.Target(url: StatsClient.Target.defaultURL) }
        let configuration: BrokerConfiguration
        do {
            configuration = try BrokerConfiguration(contentsOfFile: config)
        } catch {
            throw Self.failure("\(config): \(error)", status: Self.usageStatus)
        }
        guard let listen = configuration.statsListen else {
            throw Self.failure(
                "\(config) has no stats.listen, so that broker serves no statistics. Add a line such as\n  stats.listen = 127.0.0.1:\(ListenAddress.defaultStatsPort)\nand restart the broker (or start it with --stats-listen 127.0.0.1:\(ListenAddress.defaultStatsPort)).",
                status: 1)
        }
        guard listen.port != 0 else {
            throw Self.failure(
                "\(config) has stats.listen = \(listen) (port 0: any free port), so its port is only known to the broker; use --url with the port it logged (\"statistics on http://…\").",
                status: 1)
        }
        return StatsClient.Target(listen: listen)
    }

    private func fetch(_ target: StatsClient.Target) async throws -> (document: StatsDocument, json: [UInt8]) {
        do {
            return try await StatsClient.fetch(from: target, group: MultiThreadedEventLoopGroup.singleton)
        } catch {
            switch error {
            case .cannotConnect, .timedOutOrClosed:
                throw Self.failure(
                    "\(error)\nIs the broker running with its statistics endpoint on? Start it with\n  stats.listen = \(target.host.contains(":") ? "[\(target.host)]" : target.host):\(target.port)\nin its --config file (or --stats-listen \(target.port)), or point --url or --config at the address it uses.",
                    status: 1)
            default:
                throw Self.failure("\(error)", status: 1)
            }
        }
    }

    private var noColour: Bool { ProcessInfo.processInfo.environment["NO_COLOR"] != nil }

    private func emit(_ text: String) {
        FileHandle.standardOutput.write(Data(text.utf8))
    }

    /// Prints `message` on standard error; the exit status to throw.
    private static func failure(_ message: String, status: Int32) -> ExitCode {
        FileHandle.standardError.write(Data("chorus broker stats: \(message)\n".utf8))
        return ExitCode(status)
    }

    /// `HH:MM:SS`, local time.
    private static func clock() -> String {
        var now = time(nil)
        var parts = tm()
        localtime_r(&now, &parts)
        return String(format: "%02d:%02d:%02d", parts.tm_hour, parts.tm_min, parts.tm_sec)
    }
}
