import Foundation
import Synchronization

/// A real Chorus fleet for end-to-end tests: `chorus broker` and N `chorus server`
/// processes on loopback, configured like the MCollective oracle's node1..node3, plus a
/// client configuration. Every process it starts is recorded and killed when the test
/// process exits.
public final class Fleet: Sendable {
    public struct NodeProfile: Sendable {
        public var identity: String
        public var facts: [(String, String)]
        public var classes: [String]

        public init(identity: String, facts: [(String, String)], classes: [String]) {
            self.identity = identity
            self.facts = facts
            self.classes = classes
        }

        /// The same facts and classes under another identity (the `hostname` fact follows it).
        public func renamed(_ identity: String) -> NodeProfile {
            NodeProfile(identity: identity, facts: facts.map { $0.0 == "hostname" ? ($0.0, identity) : $0 }, classes: classes)
        }
    }

    /// How nodes and clients sign messages.
    public enum Security: Sendable {
        case psk(String)
        /// MCollective's ssl provider: key files as the interop harness writes them.
        case ssl(SSLKeys, serializer: String)
    }

    public struct SSLKeys: Sendable {
        public var serverPrivate, serverPublic, clientPrivate, clientPublic, clientCertDir: String
        public init(serverPrivate: String, serverPublic: String, clientPrivate: String, clientPublic: String, clientCertDir: String) {
            self.serverPrivate = serverPrivate
            self.serverPublic = serverPublic
            self.clientPrivate = clientPrivate
            self.clientPublic = clientPublic
            self.clientCertDir = clientCertDir
        }
    }

    /// The oracle's nodes (../shared/oracle/README.md §2).
    public static let oracleNodes: [NodeProfile] = [
        NodeProfile(identity: "node1", facts: [("osfamily", "Debian"), ("role", "web"), ("datacenter", "ams"), ("hostname", "node1"), ("cores", "\"4\"")], classes: ["settings", "default", "web::nginx", "common"]),
        NodeProfile(identity: "node2", facts: [("osfamily", "RedHat"), ("role", "db"), ("datacenter", "ams"), ("hostname", "node2"), ("cores", "\"8\"")], classes: ["settings", "default", "db::postgres", "common"]),
        NodeProfile(identity: "node3", facts: [("osfamily", "Debian"), ("role", "web"), ("datacenter", "fra"), ("hostname", "node3"), ("cores", "\"2\"")], classes: ["settings", "default", "web::apache", "common"]),
    ]

    public let directory: URL
    public let security: Security
    /// `activemq` or `rabbitmq`.
    public let connector: String
    public let nodes: [NodeProfile]
    /// TLS everywhere when set: the broker listens only on TLS, nodes and clients connect with
    /// the pool.1.ssl* keys.
    public let tls: FleetTLS?
    private let state = Mutex<State>(State())

    private struct State {
        var broker: ChildProcess?
        var servers: [String: ChildProcess] = [:]
        var port = 0
    }

    public init(
        nodes: [NodeProfile] = Fleet.oracleNodes, security: Security = .psk("s3cr3t"), connector: String = "activemq",
        tls: FleetTLS? = nil
    ) throws {
        self.nodes = nodes
        self.security = security
        self.connector = connector
        self.tls = tls
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("chorus-e2e-\(getpid())-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    /// The pre-shared key (psk fleets).
    public var psk: String {
        if case .psk(let key) = security { return key }
        return ""
    }
    public var port: Int { state.withLock { $0.port } }
    public var clientConfig: String { directory.appendingPathComponent("client.cfg").path }
    public func nodeDirectory(_ identity: String) -> URL { directory.appendingPathComponent(identity) }
    public func serverConfig(_ identity: String) -> String { nodeDirectory(identity).appendingPathComponent("server.cfg").path }
    public func logFile(_ identity: String) -> String { nodeDirectory(identity).appendingPathComponent("chorus.log").path }

    /// Starts a `chorus broker` and every node, and waits until all of them answer.
    public func start() async throws {
        try await startBroker()
        try await startNodes()
    }

    /// Starts every node against the broker already chosen (`startBroker` or `useBroker`);
    /// `extra` lines go into every node's server.cfg.
    public func startNodes(extra: [String] = []) async throws {
        try writeClientConfig(identity: "mcoclient", path: clientConfig)
        for node in nodes { try startServer(node, extra: extra) }
        try await waitForNodes(nodes.map(\.identity))
    }

    /// Uses a broker this fleet did not start (RabbitMQ, ActiveMQ, another fleet's `chorus broker`).
    public func useBroker(port: Int) {
        state.withLock { $0.port = port }
    }

    /// Starts `chorus broker` on loopback; `config` is a broker configuration file to load
    /// (its `listen` lines are replaced by the loopback port).
    public func startBroker(port requested: Int = 0, config: String? = nil) async throws {
        let portFile = directory.appendingPathComponent("broker.port")
        try? FileManager.default.removeItem(at: portFile)
        var arguments = ["broker", "--listen", "127.0.0.1:\(requested)", "--port-file", portFile.path]
        if let config { arguments += ["--config", config] }
        if let tls {
            let config = directory.appendingPathComponent("broker.cfg")
            try tls.brokerConfig(port: requested).joined(separator: "\n").write(to: config, atomically: true, encoding: .utf8)
            arguments = ["broker", "--config", config.path, "--port-file", portFile.path]
        }
        let process = try Self.spawn(arguments, log: brokerLog)
        state.withLock { $0.broker = process }
        for _ in 0..<400 {
            if let text = try? String(contentsOf: portFile, encoding: .utf8), let port = Int(text.trimmingCharacters(in: .whitespacesAndNewlines)) {
                state.withLock { $0.port = port }
                return
            }
            try await Task.sleep(for: .milliseconds(25))
        }
        throw FleetError("broker did not write its port file; log: \((try? String(contentsOf: brokerLog, encoding: .utf8)) ?? "")")
    }

    /// Where the fleet's `chorus broker` logs.
    public var brokerLog: URL { directory.appendingPathComponent("broker.log") }

    public func stopBroker() {
        let process = state.withLock { state -> ChildProcess? in
            defer { state.broker = nil }
            return state.broker
        }
        if let process { Self.stop(process) }
    }

    /// Writes a client configuration for this fleet; `psk` overrides the fleet's key (attack tests).
    public func writeClientConfig(identity: String, psk: String? = nil, path: String, extra: [String] = []) throws {
        let security = psk.map { Security.psk($0) } ?? self.security
        try (connectionConfig(identity: identity) + Self.securityConfig(security, role: .client) + ["logger_type = console", "loglevel = warn"] + extra)
            .joined(separator: "\n").write(toFile: path, atomically: true, encoding: .utf8)
    }

    public func startServer(_ node: NodeProfile, extra: [String] = []) throws {
        let dir = nodeDirectory(node.identity)
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let facts = node.facts.map { "\($0.0): \($0.1)" }.joined(separator: "\n") + "\n"
        try facts.write(to: dir.appendingPathComponent("facts.yaml"), atomically: true, encoding: .utf8)
        try (node.classes.joined(separator: "\n") + "\n").write(to: dir.appendingPathComponent("classes.txt"), atomically: true, encoding: .utf8)
        let config = connectionConfig(identity: node.identity) + Self.securityConfig(security, role: .server) + [
            "plugin.yaml = \(dir.appendingPathComponent("facts.yaml").path)",
            "classesfile = \(dir.appendingPathComponent("classes.txt").path)",
            "logfile = \(logFile(node.identity))",
            "loglevel = debug",
        ] + extra
        try config.joined(separator: "\n").write(toFile: serverConfig(node.identity), atomically: true, encoding: .utf8)
        let process = try Self.spawn(["server", "-c", serverConfig(node.identity)], log: dir.appendingPathComponent("stdout.log"))
        state.withLock { $0.servers[node.identity] = process }
    }

    /// Sends SIGTERM to a node and waits for it to exit; returns its exit status.
    @discardableResult
    public func stopServer(_ identity: String) -> Int32? {
        let process = state.withLock { $0.servers.removeValue(forKey: identity) }
        guard let process else { return nil }
        Self.stop(process)
        return process.terminationStatus
    }

    public func isServerRunning(_ identity: String) -> Bool {
        state.withLock { $0.servers[identity]?.isRunning ?? false }
    }

    public func shutdown() {
        let (broker, servers) = state.withLock { state in
            defer {
                state.broker = nil
                state.servers = [:]
            }
            return (state.broker, Array(state.servers.values))
        }
        for server in servers { Self.stop(server) }
        if let broker { Self.stop(broker) }
        try? FileManager.default.removeItem(at: directory)
    }

    /// Polls `chorus find` until every identity answers (30 s at most).
    public func waitForNodes(_ identities: [String]) async throws {
        let deadline = Date().addingTimeInterval(30)
        var last = ""
        while Date() < deadline {
            let result = try await chorus(["find", "--dt", "1"])
            last = result.stdout
            let found = Set(result.stdout.split(separator: "\n").map(String.init))
            if Set(identities).isSubset(of: found) { return }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw FleetError("nodes \(identities) did not all answer within 30 s; last find printed: \(last)")
    }

    /// Runs a client command against this fleet.
    public func chorus(_ arguments: [String], config: String? = nil, stdin: String? = nil) async throws -> CommandResult {
        try await CommandResult.run(arguments + ["-c", config ?? clientConfig], stdin: stdin)
    }

    /// Identity, collectives and the broker pool for this fleet's connector.
    public func connectionConfig(identity: String) -> [String] {
        var lines = [
            "identity = \(identity)",
            "main_collective = mcollective",
            "collectives = mcollective",
            "connector = \(connector)",
            "plugin.\(connector).pool.size = 1",
            "plugin.\(connector).pool.1.host = 127.0.0.1",
            "plugin.\(connector).pool.1.port = \(port)",
            "plugin.\(connector).pool.1.user = mcollective",
            "plugin.\(connector).pool.1.password = marionette",
            "factsource = yaml",
        ]
        if connector == "rabbitmq" { lines.append("plugin.rabbitmq.vhost = /mcollective") }
        if let tls {
            lines += FleetTLS.poolConfig(connector: connector, ca: tls.caCertificate, identity: tls.client)
        }
        return lines
    }

    public enum Role: Sendable { case server, client }

    /// MCollective's security keys for a node or a client.
    public static func securityConfig(_ security: Security, role: Role) -> [String] {
        switch security {
        case .psk(let key):
            return ["securityprovider = psk", "plugin.psk = \(key)"]
        case .ssl(let keys, let serializer):
            var lines = ["securityprovider = ssl", "plugin.ssl_serializer = \(serializer)", "plugin.ssl_server_public = \(keys.serverPublic)"]
            switch role {
            case .server:
                lines += ["plugin.ssl_server_private = \(keys.serverPrivate)", "plugin.ssl_client_cert_dir = \(keys.clientCertDir)"]
            case .client:
                lines += ["plugin.ssl_client_private = \(keys.clientPrivate)", "plugin.ssl_client_public = \(keys.clientPublic)"]
            }
            return lines
        }
    }

    // MARK: - Processes

    public static var executable: String {
        let selfPath = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        var dir = URL(fileURLWithPath: selfPath).deletingLastPathComponent()
        // On Linux the test bundle is `.build/debug/ChorusPackageTests.xctest`, beside `chorus`.
        if dir.lastPathComponent.hasSuffix(".xctest") { dir = dir.deletingLastPathComponent() }
        return dir.appendingPathComponent("chorus").path
    }

    public static func spawn(_ arguments: [String], log: URL) throws -> ChildProcess {
        try ChildProcess(executable: executable, arguments: arguments, log: log.path)
    }

    public static func stop(_ process: ChildProcess) {
        process.stop()
    }
}

public struct FleetError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// Kills every process the tests started when the test process exits, so no broker or node outlives the suite.
public final class ProcessReaper: Sendable {
    public static let shared = ProcessReaper()
    private let pids = Mutex<Set<Int32>>([])

    private init() {
        atexit { ProcessReaper.shared.killAll() }
    }

    public func track(_ pid: Int32) { pids.withLock { _ = $0.insert(pid) } }
    public func untrack(_ pid: Int32) { pids.withLock { _ = $0.remove(pid) } }
    public func killAll() {
        for pid in pids.withLock({ $0 }) { kill(pid, SIGKILL) }
    }
}
