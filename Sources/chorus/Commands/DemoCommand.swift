import ArgumentParser
import ChorusClient
import ChorusCore
import Foundation

struct DemoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Start a broker and five nodes on this machine and show what Chorus does.",
        discussion: """
            Starts `chorus broker` and five `chorus server` processes (each with its own facts and \
            classes) on 127.0.0.1, runs a short tour of client commands against them, prints each \
            command and what came back, then stops everything it started (also on Ctrl-C). With \
            --keep, leaves the fleet running and prints how to talk to it.
            """)

    @Option(help: "How many nodes to start (1-50).")
    var nodes: Int = 5

    @Option(help: "Directory for the demo's configuration, facts and logs (default: a new temporary directory).")
    var directory: String?

    @Flag(help: "Leave the broker and nodes running after the tour.")
    var keep = false

    func validate() throws {
        guard (1...50).contains(nodes) else { throw ValidationError("--nodes must be between 1 and 50") }
    }

    func run() async throws {
        let fleet = try DemoFleet(nodeCount: nodes, directory: directory)
        do {
            try await withThrowingTaskGroup(of: Bool.self) { group in
                group.addTask {
                    try await fleet.start()
                    try await fleet.tour()
                    return true
                }
                group.addTask {
                    let number = await TerminationSignal.wait()
                    return number == 0
                }
                let finished = try await group.next() ?? false
                group.cancelAll()
                if !finished { print("\nInterrupted.") }
            }
        } catch {
            fleet.stop()
            throw CommandFailure.report("demo", error)
        }
        if keep {
            fleet.printHowToContinue()
        } else {
            fleet.stop()
        }
    }
}

/// The processes and files of a demo fleet.
final class DemoFleet: @unchecked Sendable {
    let directory: URL
    let nodeCount: Int
    let executable: String
    private let lock = NSLock()
    private var processes: [(name: String, process: Process)] = []
    private var brokerPort = 0
    private let createdDirectory: Bool

    static let profiles: [(osfamily: String, role: String, datacenter: String, cores: Int, classes: [String])] = [
        ("Debian", "web", "ams", 4, ["common", "web::nginx"]),
        ("RedHat", "db", "ams", 8, ["common", "db::postgres"]),
        ("Debian", "web", "fra", 2, ["common", "web::apache"]),
        ("Debian", "app", "fra", 4, ["common", "app::rails"]),
        ("RedHat", "db", "lon", 16, ["common", "db::postgres", "backup"]),
    ]

    init(nodeCount: Int, directory: String?) throws {
        self.nodeCount = nodeCount
        if let directory {
            self.directory = URL(fileURLWithPath: directory)
            createdDirectory = false
        } else {
            self.directory = FileManager.default.temporaryDirectory.appendingPathComponent("chorus-demo-\(getpid())")
            createdDirectory = true
        }
        executable = Bundle.main.executablePath ?? CommandLine.arguments[0]
        try FileManager.default.createDirectory(at: self.directory, withIntermediateDirectories: true)
    }

    private var clientConfig: String { directory.appendingPathComponent("client.cfg").path }

    func start() async throws {
        let psk = (0..<4).map { _ in String(UInt32.random(in: .min ... .max), radix: 16) }.joined()
        say("Starting a broker on 127.0.0.1 (a free port) ...")
        let portFile = directory.appendingPathComponent("broker.port")
        try? FileManager.default.removeItem(at: portFile)
        try launch("broker", ["broker", "--listen", "127.0.0.1:0", "--port-file", portFile.path],
                   log: directory.appendingPathComponent("broker.log"))
        brokerPort = try await waitForPort(portFile)
        say("Broker listening on 127.0.0.1:\(brokerPort)")

        try write(clientConfig, Self.configuration(identity: "demo-client", port: brokerPort, psk: psk, extra: ["logger_type = console", "loglevel = warn"]))
        for index in 1...nodeCount {
            let name = "node\(index)"
            let nodeDir = directory.appendingPathComponent(name)
            try FileManager.default.createDirectory(at: nodeDir, withIntermediateDirectories: true)
            let profile = Self.profiles[(index - 1) % Self.profiles.count]
            try write(nodeDir.appendingPathComponent("facts.yaml").path, """
                osfamily: \(profile.osfamily)
                role: \(profile.role)
                datacenter: \(profile.datacenter)
                cores: \(profile.cores)
                hostname: \(name)
                """)
            try write(nodeDir.appendingPathComponent("classes.txt").path, profile.classes.joined(separator: "\n") + "\n")
            try write(nodeDir.appendingPathComponent("server.cfg").path, Self.configuration(identity: name, port: brokerPort, psk: psk, extra: [
                "plugin.yaml = \(nodeDir.appendingPathComponent("facts.yaml").path)",
                "classesfile = \(nodeDir.appendingPathComponent("classes.txt").path)",
                "logfile = \(nodeDir.appendingPathComponent("chorus.log").path)",
                "loglevel = info",
            ]))
            try launch(name, ["server", "-c", nodeDir.appendingPathComponent("server.cfg").path], log: nil)
        }
        say("Started \(nodeCount) nodes (node1 … node\(nodeCount)); waiting for them to answer ...")
        try await waitForNodes()
    }

    func tour() async throws {
        let steps: [(String, [String])] = [
            ("Which nodes are alive, and how fast do they answer?", ["ping"]),
            ("Find the web servers (a fact filter)", ["find", "-F", "role=web"]),
            ("A compound filter: web or db servers in Amsterdam", ["find", "-S", "(role=web or role=db) and datacenter=ams"]),
            ("A data plugin in a compound filter: Red Hat nodes outside Amsterdam", ["find", "-S", "fact('osfamily').value=RedHat and not datacenter=ams"]),
            ("Ask every node for a fact, with a summary", ["rpc", "rpcutil", "get_fact", "fact=osfamily"]),
            ("Report a fact across the fleet", ["facts", "role"]),
            ("Everything about one node", ["inventory", "node1"]),
            ("The installed version of a package on every node (the package agent)", ["package", "bash", "status"]),
            ("Browse a resource across the fleet, as PE's console did (the puppetral agent)", ["resource", "user", "root"]),
            ("Two named nodes, no discovery, JSON for scripts", ["rpc", "rpcutil", "ping", "-I", "node1", "-I", "node2", "--json"]),
        ]
        for (title, arguments) in steps {
            try Task.checkCancellation()
            emit("\n" + style.bold("== \(title)"))
            emit("$ chorus \(arguments.map(Self.shellQuote).joined(separator: " "))")
            let status = try await runClient(arguments)
            if status != 0 { emit("(exit code \(status))") }
        }
        emit("\nThat was Chorus: one broker, \(nodeCount) nodes, every request answered in milliseconds.")
    }

    func printHowToContinue() {
        emit("""

            The fleet is still running. Talk to it with:
              export CHORUS_CONFIG=\(clientConfig)
              \(executable) ping
            Stop it with:  kill \(lock.withLock { processes.map { String($0.process.processIdentifier) } }.joined(separator: " "))
            """)
    }

    /// Stops every process this demo started (SIGTERM, then SIGKILL after 5 s) and removes its directory.
    func stop() {
        let running = lock.withLock { () -> [(name: String, process: Process)] in
            defer { processes.removeAll() }
            return processes
        }
        for (_, process) in running.reversed() where process.isRunning { process.terminate() }
        let deadline = Date().addingTimeInterval(5)
        for (_, process) in running {
            while process.isRunning && Date() < deadline { usleep(20_000) }
            if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        }
        if !running.isEmpty { say("Stopped the broker and \(running.count - 1) node(s).") }
        if createdDirectory { try? FileManager.default.removeItem(at: directory) }
    }

    // MARK: - Helpers

    static func configuration(identity: String, port: Int, psk: String, extra: [String]) -> String {
        ([
            "identity = \(identity)",
            "main_collective = mcollective",
            "collectives = mcollective",
            "connector = activemq",
            "plugin.activemq.pool.size = 1",
            "plugin.activemq.pool.1.host = 127.0.0.1",
            "plugin.activemq.pool.1.port = \(port)",
            "plugin.activemq.pool.1.user = chorus",
            "plugin.activemq.pool.1.password = chorus",
            "securityprovider = psk",
            "plugin.psk = \(psk)",
            "factsource = yaml",
        ] + extra).joined(separator: "\n") + "\n"
    }

    private func write(_ path: String, _ text: String) throws {
        try text.write(toFile: path, atomically: true, encoding: .utf8)
    }

    private func launch(_ name: String, _ arguments: [String], log: URL?) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        if let log {
            _ = FileManager.default.createFile(atPath: log.path, contents: nil)
            let handle = try FileHandle(forWritingTo: log)
            process.standardOutput = handle
            process.standardError = handle
        } else {
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
        }
        try process.run()
        lock.withLock { processes.append((name, process)) }
    }

    private func waitForPort(_ file: URL) async throws -> Int {
        for _ in 0..<200 {
            if let text = try? String(contentsOf: file, encoding: .utf8), let port = Int(text.trimmingCharacters(in: .whitespacesAndNewlines)) {
                return port
            }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw ValidationFailure("the broker did not start within 10 s; see \(directory.appendingPathComponent("broker.log").path)")
    }

    private func waitForNodes() async throws {
        let session = try await ClientSession.open(try ClientOptions.parse(["-c", clientConfig]))
        defer { Task { await session.client.close() } }
        let start = Date()
        while Date().timeIntervalSince(start) < 30 {
            let seen = try await session.client.ping(filter: Filter(), timeout: .seconds(1), limit: nodeCount)
            if seen.count >= nodeCount {
                say(String(format: "All %d nodes answer (%.1f s after start).", nodeCount, Date().timeIntervalSince(start)))
                return
            }
        }
        throw ValidationFailure("not every node answered within 30 s; logs are in \(directory.path)")
    }

    private func runClient(_ arguments: [String]) async throws -> Int32 {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments + ["-c", clientConfig]
        try process.run()
        while process.isRunning {
            try await Task.sleep(for: .milliseconds(10))
        }
        return process.terminationStatus
    }

    private let style = TerminalStyle(colour: isatty(STDOUT_FILENO) == 1 && ProcessInfo.processInfo.environment["NO_COLOR"] == nil)

    /// Prints and flushes at once, so the demo's lines and its child commands' output stay in order.
    private func emit(_ text: String) {
        print(text)
        fflush(nil)
    }

    private func say(_ text: String) {
        emit(style.green(">> \(text)"))
    }

    static func shellQuote(_ word: String) -> String {
        if word.allSatisfy({ $0.isLetter || $0.isNumber || "-_=./:".contains($0) }) { return word }
        if !word.contains(where: { "\"$`\\!".contains($0) }) { return "\"\(word)\"" }
        return "'\(word.replacingOccurrences(of: "'", with: "'\\''"))'"
    }
}
