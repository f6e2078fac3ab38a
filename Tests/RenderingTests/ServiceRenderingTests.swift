import ChorusAgents
import ChorusClient
import ChorusCore
import RubyMarshal
import Testing

@testable import chorus

/// `chorus service NAME ACTION` output (mco's service application) and its exit codes.
@Suite("chorus service output")
struct ServiceRenderingTests {
    typealias R = OracleReplies
    static let plain = TerminalStyle(colour: false)

    static func reply(_ sender: String, _ action: String, _ status: String, code: Int = 0, message: String = "OK") -> RPCResult {
        RPCResult(sender: sender, agent: "service", action: action, statusCode: code, statusMessage: message, data: RubyHash(symbolKeys: ["status": .str(status)]))
    }

    static func ddl() throws -> AgentDDL { try #require(try BuiltinDDL.named("service")) }

    @Test("status: every node, the summary of states, the statistics")
    func status() throws {
        let results = [Self.reply("node1", "status", "running"), Self.reply("web-frontend-2", "status", "running"), Self.reply("node3", "status", "stopped")]
        let outcome = R.outcome(discovered: ["node1", "web-frontend-2", "node3"], results: results, block: 12.4)
        let text = ServiceRenderer(style: Self.plain, verbose: false).render(action: "status", outcome: outcome, ddl: try Self.ddl())
        // Senders right-aligned to the longest plus 3, as mco's "%<width>s: %s".
        #expect(text == """
                        node1: running
               web-frontend-2: running
                        node3: stopped

            Summary of Service Status:

               running = 2
               stopped = 1


            Finished processing 3 / 3 hosts in 12.40 ms

            """ + "\n")
    }

    @Test("start: only the nodes that are not running, and failures with their message; -v shows all")
    func start() throws {
        let results = [
            Self.reply("node1", "start", "running"),
            Self.reply("node2", "start", "stopped"),
            Self.reply("node3", "start", "running", code: 1, message: "Could not start 'nginx': Service is already running"),
        ]
        let lines = ServiceRenderer(style: Self.plain, verbose: false).lines(action: "start", results: results)
        #expect(lines == "   node2: stopped\n   node3: Could not start 'nginx': Service is already running\n")
        let verbose = ServiceRenderer(style: Self.plain, verbose: true).lines(action: "start", results: results)
        #expect(verbose.hasPrefix("   node1: running\n   node2: stopped\n"))
        let coloured = ServiceRenderer(style: TerminalStyle(colour: true), verbose: false).lines(action: "start", results: [results[2]])
        #expect(coloured == "   node3: " + TerminalStyle(colour: true).red("Could not start 'nginx': Service is already running") + "\n")

        // Summaries count successful replies only, as MCollective's aggregates do.
        let outcome = R.outcome(discovered: ["node1", "node2", "node3", "node4"], results: results, block: 5)
        let text = ServiceRenderer(style: Self.plain, verbose: false).render(action: "start", outcome: outcome, ddl: try Self.ddl())
        #expect(text.contains("\n   running = 1\n") && text.contains("\n   stopped = 1\n"))
        #expect(text.contains("Finished processing 3 / 4 hosts"))
        #expect(text.contains("No response from:\n\n    node4"))
    }

    @Test("stop hides the stopped nodes; nothing answered prints no node lines")
    func stopAndEmpty() {
        let results = [Self.reply("node1", "stop", "stopped"), Self.reply("node2", "stop", "running")]
        #expect(ServiceRenderer(style: Self.plain, verbose: false).lines(action: "stop", results: results) == "   node2: running\n")
        #expect(ServiceRenderer(style: Self.plain, verbose: false).lines(action: "stop", results: []) == "")
        #expect(ServiceRenderer.reachedGoal(action: "restart", state: "running"))
        #expect(!ServiceRenderer.reachedGoal(action: "status", state: "running"))
    }

    @Test("exit codes: failures and silent nodes are not success")
    func exitCodes() {
        let ok = Self.reply("node1", "status", "running")
        let failed = Self.reply("node2", "status", "unknown", code: 1, message: "no such service")
        #expect(ServiceExit.code(for: R.outcome(discovered: ["node1"], results: [ok], block: 1), discoveryRan: true) == 0)
        #expect(ServiceExit.code(for: R.outcome(discovered: ["node1", "node2"], results: [ok, failed], block: 1), discoveryRan: true) == 2)
        #expect(ServiceExit.code(for: R.outcome(discovered: ["node1", "node2"], results: [ok], block: 1), discoveryRan: false) == 2)
        #expect(ServiceExit.code(for: R.outcome(discovered: ["node1"], results: [], block: 1), discoveryRan: true) == 3)
        #expect(ServiceExit.code(for: R.outcome(discovered: ["node1"], results: [], block: 1), discoveryRan: false) == 4)
        #expect(ServiceExit.code(for: R.outcome(discovered: [], results: [], block: 1), discoveryRan: true) == 1)
    }

    @Test("service and action in either order, as mco reads them")
    func argumentOrder() throws {
        #expect(try ServiceCommand.serviceAndAction("nginx", "restart") == ("nginx", "restart"))
        #expect(try ServiceCommand.serviceAndAction("status", "nginx") == ("nginx", "status"))
        #expect(throws: ValidationFailure.self) { try ServiceCommand.serviceAndAction("nginx", "reload") }
    }
}
