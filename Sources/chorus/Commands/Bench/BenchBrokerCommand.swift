import ArgumentParser
import ChorusBench
import Foundation

/// `chorus bench broker`: one load generator against `chorus broker` (started here) and the
/// running RabbitMQ and ActiveMQ given, in the same run. The scenarios are in ChorusBench's
/// `Broker/`; this command parses options, starts and stops the chorus broker, prints.
struct BenchBrokerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "broker",
        abstract: "Measure chorus broker against RabbitMQ and ActiveMQ with one STOMP load generator.",
        discussion: """
            Starts a `chorus broker` (this executable, a free loopback port) unless --chorus names \
            a running one, and measures it and every peer given, scenario by scenario:

              fanout       1 publisher, 1 /topic/, N subscribers: deliveries/s, latency, lost
              many-to-one  M publishers, 1 /queue/, 1 consumer (MCollective's replies)
              throughput   K publisher/consumer pairs, one /queue/ each: messages/s
              idle         N idle connections (CONNECTed, one subscription, heart-beats off):
                           the broker's resident memory per connection

            Every publisher keeps a bounded window of messages in flight (sent but not yet \
            received by every receiver), so rates are delivered rates. Latency is from the \
            send stamp in the body to receipt; saturated, it is mostly the window divided by the \
            rate, so --paced D offers every broker the same D deliveries/s to compare latencies. CPU and memory are read from /proc for the \
            broker's process (RabbitMQ: beam.smp; ActiveMQ: java), found by its listening port \
            when pid= is not given. Destinations are under mcollective.bench.

            Peers: --rabbitmq and --activemq take HOST:PORT[,pid=PID][,login=L][,passcode=P][,vhost=V]; \
            login mcollective/marionette and RabbitMQ vhost /mcollective by default \
            (scripts/interop/up.sh's brokers). scripts/bench/broker.sh starts them and runs this.

            Exit status: 0 when every measurement completed with nothing lost, 1 otherwise.
            """)

    @Option(help: ArgumentHelp("A running RabbitMQ (rabbitmq_stomp) to measure.", valueName: "host:port[,pid=PID]"))
    var rabbitmq: String?

    @Option(help: ArgumentHelp("A running ActiveMQ to measure.", valueName: "host:port[,pid=PID]"))
    var activemq: String?

    @Option(help: ArgumentHelp("Measure this running chorus broker instead of starting one.", valueName: "host:port[,pid=PID]"))
    var chorus: String?

    @Option(help: ArgumentHelp(
        "Scenarios to run, in this order: fanout, many-to-one, throughput, idle (idle last: a broker it exhausts cannot spoil the others).",
        valueName: "list"))
    var scenarios: String = "fanout,many-to-one,throughput,idle"

    @Option(help: ArgumentHelp("Fan-out: subscriber counts.", valueName: "list"))
    var fanout: String = "1,10,100,1000"

    @Option(help: ArgumentHelp("Many-to-one: publisher counts.", valueName: "list"))
    var publishers: String = "100,1000"

    @Option(help: ArgumentHelp("Throughput: publisher/consumer pair counts.", valueName: "list"))
    var pairs: String = "4"

    @Option(help: ArgumentHelp("Idle: connection counts.", valueName: "list"))
    var idle: String = "10000"

    @Option(help: "Seconds each message scenario publishes, per broker.")
    var seconds: Double = 5

    @Option(help: "Seconds without a delivery after which the rest counts as lost.")
    var drainSeconds: Double = 5

    @Option(help: "Message body bytes.")
    var payload: Int = 512

    @Option(help: "Fan-out: deliveries in flight (window = this / subscribers, at least 10 messages).")
    var fanoutInflight: Int = 2000

    @Option(help: "Many-to-one: messages in flight over all publishers (at least 1 each).")
    var repliesInflight: Int = 1000

    @Option(help: "Throughput: messages in flight per pair.")
    var pairWindow: Int = 200

    @Option(help: ArgumentHelp(
        "Offer this many deliveries per second in each message scenario instead of saturating (latency at equal load).",
        valueName: "deliveries/s"))
    var paced: Double?

    @Option(help: "Load generator event-loop threads.")
    var threads: Int = 2

    @Option(help: "Connection handshakes in progress at once.")
    var connectConcurrency: Int = 100

    @Option(help: "Spread connections over this many loopback source addresses (127.0.0.2, …); 0 = 127.0.0.1.")
    var sourceAddresses: Int = 0

    @Flag(help: "Also print the whole report as one JSON object on the last line.")
    var json = false

    func validate() throws {
        _ = try plannedScenarios()
        guard seconds > 0, drainSeconds > 0 else { throw ValidationError("--seconds and --drain-seconds must be positive") }
        guard payload >= 64 else { throw ValidationError("--payload must be at least 64 bytes (the stamp)") }
        guard fanoutInflight > 0, repliesInflight > 0, pairWindow > 0, threads > 0, connectConcurrency > 0 else {
            throw ValidationError("windows, --threads and --connect-concurrency must be positive")
        }
        if let paced, paced <= 0 { throw ValidationError("--paced must be positive") }
        guard (0...250).contains(sourceAddresses) else { throw ValidationError("--source-addresses must be 0…250") }
        for (option, spec) in [("--rabbitmq", rabbitmq), ("--activemq", activemq), ("--chorus", chorus)] {
            if let spec {
                do { _ = try BrokerTarget(kind: .chorus, parsing: spec) } catch { throw ValidationError("\(option) \(error)") }
            }
        }
    }

    func run() async throws {
        let plan = try plannedScenarios()
        let limit = MachineLimits.raiseOpenFileLimit()
        let mostConnections = plan.map { scenario -> Int in
            switch scenario {
            case .idle(let count), .fanOut(let count): return count + 1
            case .manyToOne(let count): return count + 1
            case .throughput(let count): return count * 2
            }
        }.max() ?? 0
        guard mostConnections + 64 <= limit else {
            throw ValidationFailure(
                "a scenario needs \(mostConnections) connections but this process may open only \(limit) files (ulimit -n); lower the counts")
        }

        var peers: [BrokerTarget] = []
        if let rabbitmq { peers.append(try BrokerTarget(kind: .rabbitmq, parsing: rabbitmq).resolvingProcess()) }
        if let activemq { peers.append(try BrokerTarget(kind: .activemq, parsing: activemq).resolvingProcess()) }
        var started: ChorusBrokerProcess?
        let chorusTarget: BrokerTarget
        if let chorus {
            chorusTarget = try BrokerTarget(kind: .chorus, parsing: chorus).resolvingProcess()
        } else {
            let executable = Bundle.main.executablePath ?? CommandLine.arguments[0]
            let process = try await ChorusBrokerProcess.start(executable: executable)
            started = process
            chorusTarget = process.target
        }
        for target in [chorusTarget] + peers where target.pid == nil {
            FileHandle.standardError.write(Data("note: no process found for \(target); its CPU and memory are not sampled\n".utf8))
        }

        var settings = BrokerBenchSettings()
        settings.seconds = seconds
        settings.drainSeconds = drainSeconds
        settings.payloadBytes = payload
        settings.fanOutInFlight = fanoutInflight
        settings.manyToOneInFlight = repliesInflight
        settings.pairWindow = pairWindow
        settings.threads = threads
        settings.pacedDeliveriesPerSecond = paced
        settings.connectConcurrency = connectConcurrency
        settings.sourceAddresses = (0..<sourceAddresses).map { "127.0.0.\($0 + 2)" }
        let benchmark = BrokerBenchmark(targets: [chorusTarget] + peers, scenarios: plan, settings: settings) { line in
            FileHandle.standardError.write(Data((line + "\n").utf8))
        }

        let chorusProcess = started
        let report = await Self.runStoppable(benchmark) { chorusProcess?.stop() }
        chorusProcess?.stop()
        print(BrokerBenchTables.render(report))
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
            print(String(decoding: try encoder.encode(report), as: UTF8.self))
        }
        if report.lost > 0 || report.errors > 0 { throw ExitCode(1) }
    }

    /// Runs the benchmark; on SIGINT or SIGTERM first, runs `cleanup` and exits 130.
    private static func runStoppable(_ benchmark: BrokerBenchmark, cleanup: @escaping @Sendable () -> Void) async -> BrokerBenchReport {
        await withTaskGroup(of: BrokerBenchReport?.self) { group in
            group.addTask { await benchmark.run() }
            group.addTask {
                let signal = await TerminationSignal.wait()
                if signal != 0 {
                    cleanup()
                    Foundation.exit(130)
                }
                return nil
            }
            var report: BrokerBenchReport?
            while let next = await group.next() {
                if let next {
                    report = next
                    group.cancelAll()
                }
            }
            return report!
        }
    }

    /// The scenarios named by --scenarios, each at every size its list gives.
    func plannedScenarios() throws -> [BrokerScenario] {
        func sizes(_ text: String, _ option: String) throws -> [Int] {
            let values = text.split(separator: ",").map { Int($0.trimmingCharacters(in: .whitespaces)) }
            guard !values.isEmpty, values.allSatisfy({ ($0 ?? 0) > 0 }) else {
                throw ValidationError("\(option) expects positive numbers separated by commas, not '\(text)'")
            }
            return values.compactMap { $0 }
        }
        var plan: [BrokerScenario] = []
        for name in scenarios.split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces) }) {
            switch name {
            case "idle": plan += try sizes(idle, "--idle").map { .idle(connections: $0) }
            case "fanout", "fan-out": plan += try sizes(fanout, "--fanout").map { .fanOut(subscribers: $0) }
            case "many-to-one", "replies": plan += try sizes(publishers, "--publishers").map { .manyToOne(publishers: $0) }
            case "throughput": plan += try sizes(pairs, "--pairs").map { .throughput(pairs: $0) }
            default: throw ValidationError("unknown scenario '\(name)' (idle, fanout, many-to-one, throughput)")
            }
        }
        guard !plan.isEmpty else { throw ValidationError("--scenarios names no scenario") }
        return plan
    }
}
