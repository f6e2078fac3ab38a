import ChorusTestSupport
import Foundation

/// One cell of the compatibility matrix: a broker, a connector dialect, a security provider.
struct InteropScenario: Sendable, CustomStringConvertible {
    enum Broker: String, Sendable { case rabbitmq, activemq, chorus }
    enum Security: String, Sendable { case psk, sslMarshal = "ssl+marshal", sslYAML = "ssl+yaml" }

    var broker: Broker
    var connector: String
    var security: Security
    /// Nodes and clients of both kinds connect over TLS with client certificates.
    var tls = false
    /// `plugin.<connector>.heartbeat_interval` of every node and client: 0 = STOMP 1.0; 30 =
    /// STOMP 1.1 with MCollective's heart-beat offer (`30500,29500`).
    var heartbeat = 0

    var description: String {
        "\(broker.rawValue) broker, \(connector) connector, \(security.rawValue)"
            + (heartbeat > 0 ? ", STOMP 1.1 heart-beats" : "") + (tls ? ", TLS" : "")
    }

    static let all: [InteropScenario] = [
        .init(broker: .rabbitmq, connector: "rabbitmq", security: .psk),
        .init(broker: .activemq, connector: "activemq", security: .psk),
        .init(broker: .chorus, connector: "activemq", security: .psk),
        .init(broker: .chorus, connector: "rabbitmq", security: .psk),
        .init(broker: .rabbitmq, connector: "rabbitmq", security: .sslMarshal),
        .init(broker: .activemq, connector: "activemq", security: .sslMarshal),
        // Through chorus broker, both connectors run STOMP 1.0 (above, below) and 1.1 with heart-beats.
        .init(broker: .chorus, connector: "activemq", security: .sslMarshal, heartbeat: 30),
        .init(broker: .chorus, connector: "rabbitmq", security: .sslMarshal, heartbeat: 30),
        .init(broker: .rabbitmq, connector: "rabbitmq", security: .sslYAML),
        .init(broker: .activemq, connector: "activemq", security: .sslYAML),
        .init(broker: .chorus, connector: "activemq", security: .sslYAML),
        .init(broker: .chorus, connector: "rabbitmq", security: .sslYAML),
    ]

    /// The TLS cells: every broker with the connectors the plain matrix pairs it with, psk.
    static let tlsCells: [InteropScenario] = [
        .init(broker: .chorus, connector: "activemq", security: .psk, tls: true),
        .init(broker: .chorus, connector: "rabbitmq", security: .psk, tls: true),
        .init(broker: .rabbitmq, connector: "rabbitmq", security: .psk, tls: true),
        .init(broker: .activemq, connector: "activemq", security: .psk, tls: true),
    ]

    /// The scenarios to run: all of them, or those whose description contains one of the
    /// comma-separated words in `CHORUS_INTEROP_ONLY` (for working on one cell locally).
    static var selected: [InteropScenario] { filtered(all) }
    /// The TLS cells to run, filtered the same way (`CHORUS_INTEROP_ONLY=TLS` runs only them).
    static var selectedTLS: [InteropScenario] { filtered(tlsCells) }

    private static func filtered(_ scenarios: [InteropScenario]) -> [InteropScenario] {
        guard let only = ProcessInfo.processInfo.environment["CHORUS_INTEROP_ONLY"], !only.isEmpty else { return scenarios }
        let words = only.split(separator: ",").map(String.init)
        return scenarios.filter { scenario in words.allSatisfy { scenario.description.contains($0) } }
    }

    /// up.sh's security flags for the real nodes.
    var harnessSecurity: [String] {
        switch security {
        case .psk: return ["--security", "psk", "--psk", "s3cr3t"]
        case .sslMarshal: return ["--security", "ssl", "--serializer", "marshal"]
        case .sslYAML: return ["--security", "ssl", "--serializer", "yaml"]
        }
    }

    /// The same security for the Chorus nodes and client, from the harness's key files.
    func fleetSecurity(_ state: [String: String]) throws -> Fleet.Security {
        switch security {
        case .psk: return .psk("s3cr3t")
        case .sslMarshal: return .ssl(try InteropHarness.sslKeys(state), serializer: "marshal")
        case .sslYAML: return .ssl(try InteropHarness.sslKeys(state), serializer: "yaml")
        }
    }
}

/// A running mixed collective: three real `mcollectived` (mco1..mco3) and three Chorus
/// nodes (chorus1..chorus3) with the same facts and classes as the oracle's node1..node3,
/// on one broker, plus a real `mco` client and a `chorus` client.
struct MixedCollective: Sendable {
    let scenario: InteropScenario
    let harness: InteropHarness
    let state: [String: String]
    let fleet: Fleet
    let port: Int

    static let brokers = BrokerPair()

    static func start(_ scenario: InteropScenario) async throws -> MixedCollective {
        let ports = try await brokers.ensure()
        let harness = InteropHarness(directory: ports.directory)
        try await harness.down(["--only", "nodes"])
        var port: Int
        var chorusBroker: Fleet?
        let tls = scenario.tls ? ports.tls : nil
        switch scenario.broker {
        case .rabbitmq: port = scenario.tls ? ports.rabbitmqTLS : ports.rabbitmq
        case .activemq: port = scenario.tls ? ports.activemqTLS : ports.activemq
        case .chorus:
            let brokerOnly = try Fleet(nodes: [], tls: tls)
            try await brokerOnly.startBroker()
            port = brokerOnly.port
            chorusBroker = brokerOnly
        }
        let state = try await harness.up(
            ["--broker", "none", "--port", String(port), "--connector", scenario.connector, "--nodes", "3", "--prefix", "mco"]
                + scenario.harnessSecurity + ["--tls", scenario.tls ? "1" : "0", "--heartbeat", String(scenario.heartbeat)])
        let chorusNodes = Fleet.oracleNodes.enumerated().map { $0.element.renamed("chorus\($0.offset + 1)") }
        let fleet = try Fleet(
            nodes: chorusNodes, security: try scenario.fleetSecurity(state), connector: scenario.connector, tls: tls)
        fleet.useBroker(port: port)
        // Debian's mcollectived has rpcutil only; the Chorus nodes switch their other agents off
        // (MCollective's own activation settings), so both kinds serve the same agents.
        try await fleet.startNodes(
            extra: ["activate_agents = 0", "plugin.rpcutil.activate_agent = 1", "plugin.\(scenario.connector).heartbeat_interval = \(scenario.heartbeat)"])
        let collective = MixedCollective(scenario: scenario, harness: harness, state: state, fleet: fleet, port: port)
        await brokers.adopt(chorusBroker)
        return collective
    }

    func stop() async {
        fleet.shutdown()
        try? await harness.down(["--only", "nodes"])
        await Self.brokers.releaseChorusBroker()
    }

    func mco(_ arguments: [String]) async throws -> CommandResult {
        try await harness.mco(arguments, state: state)
    }

    func chorus(_ arguments: [String]) async throws -> CommandResult {
        try await fleet.chorus(arguments)
    }

    static let mcoNodes: Set<String> = ["mco1", "mco2", "mco3"]
    static let chorusNodes: Set<String> = ["chorus1", "chorus2", "chorus3"]
}

/// RabbitMQ and ActiveMQ, started once for the whole suite and stopped when it ends.
actor BrokerPair {
    struct Ports: Sendable {
        var rabbitmq: Int
        var activemq: Int
        /// The brokers' STOMP-over-TLS listeners (client certificates required).
        var rabbitmqTLS: Int
        var activemqTLS: Int
        /// The harness's CA, broker and client certificates.
        var tls: FleetTLS
        var directory: String
    }

    private var ports: Ports?
    private var chorusBroker: Fleet?

    func ensure() async throws -> Ports {
        if let ports { return ports }
        let harness = InteropHarness()
        let state = try await harness.up(["--broker", "both", "--nodes", "0", "--tls", "1"])
        guard let rabbitmq = state["INTEROP_RABBITMQ_PORT"].flatMap(Int.init), let activemq = state["INTEROP_ACTIVEMQ_PORT"].flatMap(Int.init),
            let rabbitmqTLS = state["INTEROP_RABBITMQ_TLS_PORT"].flatMap(Int.init),
            let activemqTLS = state["INTEROP_ACTIVEMQ_TLS_PORT"].flatMap(Int.init)
        else {
            throw FleetError("up.sh did not report both brokers' plain and TLS ports: \(state)")
        }
        let ports = Ports(
            rabbitmq: rabbitmq, activemq: activemq, rabbitmqTLS: rabbitmqTLS, activemqTLS: activemqTLS,
            tls: try InteropHarness.fleetTLS(state), directory: harness.directory)
        self.ports = ports
        // Stop the brokers and nodes when the test process ends, however it ends.
        atexit {
            let script = InteropHarness.scripts.appendingPathComponent("down.sh").path
            _ = system("INTEROP_DIR=\(InteropHarness().directory) \(script) --clean >/dev/null 2>&1")
        }
        return ports
    }

    func adopt(_ broker: Fleet?) { chorusBroker = broker }

    func releaseChorusBroker() {
        chorusBroker?.shutdown()
        chorusBroker = nil
    }

    func stopAll() async {
        releaseChorusBroker()
        if ports != nil { try? await InteropHarness().down(["--clean"]) }
        ports = nil
    }
}
