import Foundation
import Synchronization

/// A real Chorus fleet for end-to-end tests: `chorus broker` and N `chorus server`
/// processes on loopback, configured like the MCollective oracle's node1..node3, plus a
/// client configuration. Every process it starts is recorded and killed when the test
/// process exits.
final class Fleet: Sendable {
    struct NodeProfile: Sendable {
        var identity: String
        var facts: [(String, String)]
        var classes: [String]
    }

    /// The oracle's nodes (../shared/oracle/README.md §2).
    static let oracleNodes: [NodeProfile] = [
        NodeProfile(identity: "node1", facts: [("osfamily", "Debian"), ("role", "web"), ("datacenter", "ams"), ("hostname", "node1"), ("cores", "\"4\"")], classes: ["settings", "default", "web::nginx", "common"]),
        NodeProfile(identity: "node2", facts: [("osfamily", "RedHat"), ("role", "db"), ("datacenter", "ams"), ("hostname", "node2"), ("cores", "\"8\"")], classes: ["settings", "default", "db::postgres", "common"]),
        NodeProfile(identity: "node3", facts: [("osfamily", "Debian"), ("role", "web"), ("datacenter", "fra"), ("hostname", "node3"), ("cores", "\"2\"")], classes: ["settings", "default", "web::apache", "common"]),
    ]

    let directory: URL
    let psk: String
    let nodes: [NodeProfile]
    private let state = Mutex<State>(State())

    private struct State {
        var broker: Process?
        var servers: [String: Process] = [:]
        var port = 0
    }

    init(nodes: [NodeProfile] = Fleet.oracleNodes, psk: String = "s3cr3t") throws {
        self.nodes = nodes
        self.psk = psk
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("chorus-e2e-\(getpid())-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    var port: Int { state.withLock { $0.port } }
    var clientConfig: String { directory.appendingPathComponent("client.cfg").path }
    func nodeDirectory(_ identity: String) -> URL { directory.appendingPathComponent(identity) }
    func serverConfig(_ identity: String) -> String { nodeDirectory(identity).appendingPathComponent("server.cfg").path }
    func logFile(_ identity: String) -> String { nodeDirectory(identity).appendingPathComponent("chorus.log").path }

    /// Starts the broker and every node, and waits until all of them answer a ping.
    func start() async throws {
        try await startBroker()
        try writeClientConfig(identity: "mcoclient", psk: psk, path: clientConfig)
        for node in nodes { try startServer(node) }
        try await waitForNodes(nodes.map(\.identity))
    }

    func startBroker(port requested: Int = 0) async throws {
        let portFile = directory.appendingPathComponent("broker.port")
        try? FileManager.default.removeItem(at: portFile)
        let process = try Self.spawn(["broker", "--listen", "127.0.0.1:\(requested)", "--port-file", portFile.path],
                                     log: directory.appendingPathComponent("broker.log"))
        state.withLock { $0.broker = process }
        for _ in 0..<400 {
            if let text = try? String(contentsOf: portFile, encoding: .utf8), let port = Int(text.trimmingCharacters(in: .whitespacesAndNewlines)) {
                state.withLock { $0.port = port }
                return
            }
            try await Task.sleep(for: .milliseconds(25))
        }
        throw FleetError("broker did not write its port file; log: \((try? String(contentsOf: directory.appendingPathComponent("broker.log"), encoding: .utf8)) ?? "")")
    }

    func stopBroker() {
        let process = state.withLock { state -> Process? in
            defer { state.broker = nil }
            return state.broker
        }
        if let process { Self.stop(process) }
    }

    func writeClientConfig(identity: String, psk: String, path: String, extra: [String] = []) throws {
        try (Self.commonConfig(identity: identity, port: port, psk: psk) + ["logger_type = console", "loglevel = warn"] + extra)
            .joined(separator: "\n").write(toFile: path, atomically: true, encoding: .utf8)
    }

    func startServer(_ node: NodeProfile, extra: [String] = []) throws {
        let dir = nodeDirectory(node.identity)
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let facts = node.facts.map { "\($0.0): \($0.1)" }.joined(separator: "\n") + "\n"
        try facts.write(to: dir.appendingPathComponent("facts.yaml"), atomically: true, encoding: .utf8)
        try (node.classes.joined(separator: "\n") + "\n").write(to: dir.appendingPathComponent("classes.txt"), atomically: true, encoding: .utf8)
        let config = Self.commonConfig(identity: node.identity, port: port, psk: psk) + [
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
    func stopServer(_ identity: String) -> Int32? {
        let process = state.withLock { $0.servers.removeValue(forKey: identity) }
        guard let process else { return nil }
        Self.stop(process)
        return process.terminationStatus
    }

    func isServerRunning(_ identity: String) -> Bool {
        state.withLock { $0.servers[identity]?.isRunning ?? false }
    }

    func shutdown() {
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
    func waitForNodes(_ identities: [String]) async throws {
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
    func chorus(_ arguments: [String], config: String? = nil, stdin: String? = nil) async throws -> CommandResult {
        try await CommandResult.run(arguments + ["-c", config ?? clientConfig], stdin: stdin)
    }

    static func commonConfig(identity: String, port: Int, psk: String) -> [String] {
        [
            "identity = \(identity)",
            "main_collective = mcollective",
            "collectives = mcollective",
            "connector = activemq",
            "plugin.activemq.pool.size = 1",
            "plugin.activemq.pool.1.host = 127.0.0.1",
            "plugin.activemq.pool.1.port = \(port)",
            "plugin.activemq.pool.1.user = mcollective",
            "plugin.activemq.pool.1.password = marionette",
            "securityprovider = psk",
            "plugin.psk = \(psk)",
            "factsource = yaml",
        ]
    }

    // MARK: - Processes

    static var executable: String {
        let selfPath = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        var dir = URL(fileURLWithPath: selfPath).deletingLastPathComponent()
        // On Linux the test bundle is `.build/debug/ChorusPackageTests.xctest`, beside `chorus`.
        if dir.lastPathComponent.hasSuffix(".xctest") { dir = dir.deletingLastPathComponent() }
        return dir.appendingPathComponent("chorus").path
    }

    static func spawn(_ arguments: [String], log: URL) throws -> Process {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        _ = FileManager.default.createFile(atPath: log.path, contents: nil)
        let handle = try FileHandle(forWritingTo: log)
        process.standardOutput = handle
        process.standardError = handle
        process.standardInput = FileHandle.nullDevice
        try process.run()
        ProcessReaper.shared.track(process.processIdentifier)
        return process
    }

    static func stop(_ process: Process) {
        guard process.isRunning else { return }
        process.terminate()
        let deadline = Date().addingTimeInterval(15)
        while process.isRunning && Date() < deadline { usleep(10_000) }
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
        ProcessReaper.shared.untrack(process.processIdentifier)
    }
}

struct FleetError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// Kills every process the tests started when the test process exits, so no broker or node outlives the suite.
final class ProcessReaper: Sendable {
    static let shared = ProcessReaper()
    private let pids = Mutex<Set<Int32>>([])

    private init() {
        atexit { ProcessReaper.shared.killAll() }
    }

    func track(_ pid: Int32) { pids.withLock { _ = $0.insert(pid) } }
    func untrack(_ pid: Int32) { pids.withLock { _ = $0.remove(pid) } }
    func killAll() {
        for pid in pids.withLock({ $0 }) { kill(pid, SIGKILL) }
    }
}
