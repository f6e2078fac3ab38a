import ArgumentParser
import ChorusBench
import Foundation
import Logging
import NIOPosix

/// `chorus bench fleet`: a broker and N simulated nodes in worker processes, measured through
/// the real client. The work is ChorusBench's `FleetBenchmark`; this command parses options,
/// prints progress to standard error and the report to standard output.
struct BenchFleetCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fleet",
        abstract: "Measure a broker with N simulated nodes (the default of chorus bench).",
        discussion: """
            Starts `chorus broker` (this executable, a free loopback port) unless --broker names a \
            running one, then worker processes of this executable that host the nodes: each node has \
            its own STOMP connection and runs the node pipeline of chorus server (decode, verify \
            psk, TTL, replay, filter on its own identity and facts, the rpcutil and discovery \
            agents, signed reply). Node i is <prefix>-i with the fact bench_group = i % 10. Once \
            every node is subscribed and has answered one broadcast, the real RPC client runs:

              broadcast   rpcutil ping to all nodes as one broadcast, no discovery, --rounds times
              directed    mc discovery of the whole fleet, then rpcutil ping to --sample nodes
                          addressed one by one
              filter      rpcutil ping -F bench_group=0: discovery and a broadcast that 10 % match
              sustained   --clients clients sending --rounds broadcasts each, all at once

            Reported: time to connect every node; per scenario, replies expected and received, \
            lost, first and last reply, p50/p90/p99 of reply arrival, replies per second at the \
            client, messages per second through the broker (its statistics for chorus broker, else \
            the clients' and nodes' counts); CPU seconds and peak resident memory of the broker, \
            the workers and this process; the broker's memory per idle connection.

            Each connection is an open file in the broker, so the broker's open-file limit caps N: \
            a fleet that cannot fit is refused with the limit and the largest N that fits. Nodes \
            spread over worker processes (one per 10,000 unless --workers).

            --broker HOST:PORT[,pid=PID][,login=L][,passcode=P][,vhost=V] uses a running broker \
            (--broker-kind rabbitmq or activemq: login mcollective/marionette, RabbitMQ vhost \
            /mcollective, as scripts/interop/up.sh starts them). scripts/bench/fleet.sh runs the \
            fleet against all three brokers.

            --json prints the report as one JSON object on the last line. Exit status 0 when no \
            reply was lost, 1 otherwise.
            """)

    @Option(help: "Simulated nodes.")
    var nodes: Int = 1000

    @Option(help: "Worker processes hosting the nodes (default: one per 10,000 nodes).")
    var workers: Int?

    @Option(help: "Connector dialect: activemq or rabbitmq.")
    var connector: String = "activemq"

    @Option(help: ArgumentHelp("A running broker to use instead of starting chorus broker.", valueName: "host:port[,pid=PID]"))
    var broker: String?

    @Option(help: "What --broker is: chorus, rabbitmq or activemq (default: the connector's broker).")
    var brokerKind: String?

    @Option(help: "Broadcast rounds, and broadcasts per client in the sustained scenario.")
    var rounds: Int = 3

    @Option(help: "Clients sending at once in the sustained scenario.")
    var clients: Int = 4

    @Option(help: "Nodes addressed directly after discovery.")
    var sample: Int = 100

    @Option(help: "Seconds to wait for one request's replies (and for discovery).")
    var timeout: Double = 30

    @Option(help: "Seconds to wait for every node to connect and subscribe.")
    var connectTimeout: Double = 300

    @Option(help: "Where logs and status files go (default: a new directory under /tmp, removed after a clean run).")
    var directory: String?

    @Flag(help: "Also print the report as one JSON object on the last line.")
    var json = false

    func validate() throws {
        guard nodes >= 1 else { throw ValidationError("--nodes must be at least 1") }
        guard rounds >= 1, clients >= 1, sample >= 1 else { throw ValidationError("--rounds, --clients and --sample must be at least 1") }
        guard timeout > 0, connectTimeout > 0 else { throw ValidationError("--timeout and --connect-timeout must be positive") }
        guard ["activemq", "rabbitmq"].contains(connector) else { throw ValidationError("--connector must be activemq or rabbitmq") }
        if let workers, workers < 1 { throw ValidationError("--workers must be at least 1") }
        _ = try target()
    }

    func run() async throws {
        try? LogSetup.bootstrap(path: nil, level: .warning)
        let scratch = directory ?? NSTemporaryDirectory() + "chorus-bench-fleet-\(getpid())"
        var options = FleetOptions(nodes: nodes, executable: Self.executable, directory: scratch)
        options.workers = workers
        options.connector = connector
        options.broker = try target()
        options.rounds = rounds
        options.clients = clients
        options.sample = sample
        options.timeout = .milliseconds(Int(timeout * 1000))
        options.connectTimeout = .milliseconds(Int(connectTimeout * 1000))
        let benchmark = FleetBenchmark(options: options) { line in
            FileHandle.standardError.write(Data((line + "\n").utf8))
        }
        do {
            _ = try benchmark.layout()
        } catch {
            throw ValidationFailure("chorus bench: \(error)")
        }
        let report: FleetReport
        do {
            report = try await Self.runStoppable(benchmark)
        } catch {
            throw ValidationFailure("chorus bench: \(error)\n(logs in \(scratch))")
        }
        print(report.text)
        if json { print(report.jsonLine) }
        if directory == nil && report.lost == 0 { try? FileManager.default.removeItem(atPath: scratch) }
        if report.lost > 0 { throw ExitCode(1) }
    }

    /// The broker named by --broker, nil to start one.
    private func target() throws -> BrokerTarget? {
        guard let broker else { return nil }
        let kindName = brokerKind ?? connector
        guard let kind = BrokerTarget.Kind(rawValue: kindName) else {
            throw ValidationError("--broker-kind must be chorus, rabbitmq or activemq, not '\(kindName)'")
        }
        do {
            return try BrokerTarget(kind: kind, parsing: broker)
        } catch {
            throw ValidationError("--broker \(error)")
        }
    }

    /// This executable (the broker and the workers are started from it).
    static var executable: String {
        (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
    }

    /// Runs the benchmark; on SIGINT or SIGTERM first, kills every process it started and exits 130.
    private static func runStoppable(_ benchmark: FleetBenchmark) async throws -> FleetReport {
        try await withThrowingTaskGroup(of: FleetReport?.self) { group in
            group.addTask {
                try await benchmark.run(group: MultiThreadedEventLoopGroup.singleton, logger: Logger(label: "chorus.bench"))
            }
            group.addTask {
                if await TerminationSignal.wait() != 0 {
                    FleetChildProcess.killAll()
                    Foundation.exit(130)
                }
                return nil
            }
            var report: FleetReport?
            while let next = try await group.next() {
                if let next {
                    report = next
                    group.cancelAll()
                }
            }
            guard let report else { throw CancellationError() }
            return report
        }
    }
}
