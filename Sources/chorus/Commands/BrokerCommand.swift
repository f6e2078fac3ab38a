import ArgumentParser
import ChorusBroker
import Foundation
import Logging
import NIOPosix

/// `chorus broker`: runs the broker (``BrokerRunCommand``, also when no subcommand is named) or
/// shows a running broker's statistics (``BrokerStatsCommand``).
struct BrokerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "broker",
        abstract: "Run the embedded STOMP broker that nodes and clients connect to, or show its statistics.",
        discussion: BrokerRunCommand.overview + """


            Options of `chorus broker` (the same as `chorus broker run`): -c/--config FILE, \
            --listen HOST:PORT (repeatable), --port-file PATH, --loglevel LEVEL, \
            --stats-listen HOST:PORT; `chorus broker run --help` describes them.

            `chorus broker stats` fetches the statistics of a running broker from its HTTP \
            endpoint (stats.listen or --stats-listen; off unless set) and prints connections, \
            messages by kind in and out, drops, security refusals and limits; --json prints the \
            document, --watch SECONDS prints rates. `chorus broker stats --help` describes it.
            """,
        subcommands: [BrokerRunCommand.self, BrokerStatsCommand.self],
        defaultSubcommand: BrokerRunCommand.self)
}

/// `chorus broker [run]`: the broker in the foreground until SIGINT or SIGTERM.
struct BrokerRunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run the broker (what `chorus broker` without a subcommand does).",
        discussion: overview)

    /// What the broker does and its configuration file, for both help pages.
    static let overview = """
            A small STOMP 1.0/1.1/1.2 broker speaking what both of MCollective's connectors need, \
            so nodes and clients can use it instead of ActiveMQ or RabbitMQ.

            ActiveMQ dialect (connector = activemq): /topic/NAME fans out to every subscriber, \
            /queue/NAME delivers each message to one consumer (round robin, JMS selectors such as \
            "mc_identity = 'node1'", buffered while nobody matches), `expires` (absolute ms) drops \
            stale messages.

            RabbitMQ dialect (connector = rabbitmq): /exchange/NAME/KEY routes through declared \
            topic, direct or fanout exchanges (a SUBSCRIBE is a private queue bound with KEY; \
            topic keys take * and #); /amq/queue/NAME is /queue/NAME; a SEND with \
            reply-to:/temp-queue/NAME gets a private reply queue and its reply-to rewritten to \
            /reply-queue/amq.gen-...; `expiration` (relative ms) drops stale messages. Sending to \
            an undeclared exchange is an ERROR (not_found). Declared by default: \
            mcollective_broadcast (topic), mcollective_directed (direct), mcollective_reply (direct).

            Point server.cfg and client.cfg at it with plugin.activemq.pool.1.host/port or \
            plugin.rabbitmq.pool.1.host/port.

            The optional configuration file uses MCollective's key = value style \
            (docs/BROKER.md describes every key):

              # repeatable; IPv6 as [::1]:61613; port 0 = any free port
              listen = 127.0.0.1:61613
              # without user.* lines any login is accepted
              user.mcollective = marionette
              user.alice = secret
              # groups, and per destination who may read, write, create (first match decides;
              # with acl.* lines anything not granted is denied; examples/broker/broker.cfg)
              group.nodes = mcollective
              group.clients = alice
              acl./topic/mcollective.*.agent = read, create: nodes; write: clients
              # fastest heart-beat interval the broker sends / wants (ms); 0 = never
              heartbeat.send_ms = 5000
              heartbeat.receive_ms = 5000
              limits.max_frame_bytes = 16777216
              limits.max_headers = 128
              limits.max_header_line_bytes = 8192
              # messages kept per queue while no consumer matches (oldest dropped beyond)
              limits.queue_depth = 1000
              # MESSAGE frames queued to a consumer over 4 MiB behind; more are dropped
              limits.max_pending_messages = 5000
              # exchanges (repeatable; the first replaces the default set): topic, direct, fanout
              exchange.mcollective_broadcast = topic
              exchange.mcollective_directed = direct
              exchange.mcollective_reply = direct
              loglevel = info
              # TLS listener (61614 by default), beside or instead of plaintext ones
              listen = tls://0.0.0.0:61614
              tls.certificate = /etc/chorus/broker.pem
              tls.private_key = /etc/chorus/broker-key.pem
              # CA of the client certificates; with it, clients must present one
              tls.ca = /etc/chorus/ca.pem
              # none | optional | required (default: required with tls.ca, else none)
              tls.verify_clients = required
              # HTTP statistics endpoint (off unless set); a port alone = 127.0.0.1:PORT
              stats.listen = 127.0.0.1:61680

            TLS: a client that speaks plaintext to a tls:// port gets a plaintext ERROR frame \
            ("TLS required") and is disconnected; a client whose certificate is missing (when \
            required) or does not verify against tls.ca is refused during the handshake. Both \
            are logged with the client's address and the reason, and counted (shown on exit); \
            the broker keeps serving everyone else. Nodes and clients connect with \
            plugin.<connector>.pool.N.ssl = 1 and pool.N.ssl.ca, .ssl.cert, .ssl.key.

            Statistics: with stats.listen = 127.0.0.1:61680 (or --stats-listen; a port alone \
            means 127.0.0.1) the broker serves GET /stats (JSON), /metrics (Prometheus) and \
            /healthz over HTTP; `chorus broker stats` reads them.

            Without a file it listens on 127.0.0.1:61613, accepts any login and declares the \
            default exchanges. SIGINT or SIGTERM stops it: listeners close, then every client \
            connection.
            """

    @Option(name: [.short, .long], help: "A broker configuration file (key = value).")
    var config: String?

    @Option(
        name: .customLong("listen"),
        help: ArgumentHelp(
            "Listen on HOST:PORT (tls://HOST:PORT for TLS, with the file's tls.* keys) instead of the configured addresses (repeatable).",
            valueName: "host:port"))
    var listen: [String] = []

    @Option(help: ArgumentHelp("Once listening, write the bound port(s), one per line, to this file.", valueName: "path"))
    var portFile: String?

    @Option(help: "Log level (debug, info, warn, error, fatal); overrides the file's loglevel.")
    var loglevel: String?

    @Option(
        help: ArgumentHelp(
            "Serve statistics over HTTP on HOST:PORT (a port alone = 127.0.0.1:PORT); overrides the file's stats.listen.",
            valueName: "host:port"))
    var statsListen: String?

    func validate() throws {
        for address in listen where ListenAddress(parsing: address) == nil {
            throw ValidationError("--listen expects HOST:PORT, [IPv6]:PORT or tls://HOST:PORT, not '\(address)'")
        }
        if let statsListen, ListenAddress(parsingStatsListen: statsListen) == nil {
            throw ValidationError("--stats-listen expects HOST:PORT or a port, not '\(statsListen)'")
        }
    }

    func run() async throws {
        var configuration = BrokerConfiguration()
        if let config {
            do {
                configuration = try BrokerConfiguration(contentsOfFile: config)
            } catch {
                throw ValidationFailure("\(config): \(error)")
            }
        }
        if !listen.isEmpty {
            configuration.listen = listen.compactMap { ListenAddress(parsing: $0) }
        }
        if let statsListen {
            configuration.statsListen = ListenAddress(parsingStatsListen: statsListen)
        }
        try LogSetup.bootstrap(path: nil, level: LogSetup.level(loglevel ?? configuration.logLevel))
        let logger = Logger(label: "broker")

        let broker: BrokerServer
        do {
            broker = try await BrokerServer.start(
                configuration: configuration, group: MultiThreadedEventLoopGroup.singleton, logger: logger)
        } catch let error as BrokerConfigurationError {
            throw ValidationFailure("\(config ?? "broker configuration"): \(error)")
        }
        let addresses = zip(broker.boundAddresses, configuration.listen)
            .map { ($1.tls ? "tls://" : "") + BrokerServer.describe($0) }.joined(separator: ", ")
        logger.info(
            "chorus broker \(BrokerServer.version) listening on \(addresses) (pid \(ProcessInfo.processInfo.processIdentifier))")
        if let portFile {
            let ports = broker.boundAddresses.compactMap(\.port).map(String.init).joined(separator: "\n") + "\n"
            do {
                // Written beside the target then renamed, so a reader never sees a partial file.
                let temporary = portFile + ".tmp"
                try ports.write(toFile: temporary, atomically: false, encoding: .utf8)
                guard rename(temporary, portFile) == 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
            } catch {
                try? await broker.shutdown()
                throw ValidationFailure("cannot write the port file \(portFile): \(error.localizedDescription)")
            }
        }

        let number = await TerminationSignal.wait()
        logger.info("received signal \(number); shutting down")
        try await broker.shutdown()
        let stats = broker.stats
        logger.info(
            "served \(stats.connectionsTotal) connections, \(stats.topicMessagesIn + stats.queueMessagesIn + stats.exchangeMessagesIn) messages in, \(stats.topicMessagesOut + stats.queueMessagesOut + stats.exchangeMessagesOut) out, \(stats.dropped) dropped, \(stats.expired) expired, \(stats.authFailures) failed logins, \(stats.authorizationDenials) access denials, \(stats.tlsHandshakeFailures) TLS handshake failures (\(stats.tlsPlaintextRefused) plaintext)")
    }
}
