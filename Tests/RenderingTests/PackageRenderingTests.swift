import ChorusAgents
import ChorusClient
import ChorusCore
import RubyMarshal
import Testing

@testable import chorus

/// `chorus package`: one line per node, the DDL's summaries, the statistics.
@Suite("chorus package output")
struct PackageRenderingTests {
    static let plain = PackageRenderer(style: .plain, verbose: false)

    static func reply(_ sender: String, _ action: String, status: Int = 0, message: String = "OK", _ data: RubyHash) -> RPCResult {
        RPCResult(sender: sender, agent: "package", action: action, statusCode: status, statusMessage: message, data: data)
    }

    static func installed(_ sender: String, _ ensure: String, arch: String = "all", action: String = "status") -> RPCResult {
        reply(sender, action, RubyHash(symbolKeys: [
            "name": "chorus-test-tiny", "ensure": .str(ensure), "arch": .str(arch), "version": "1.0", "release": "1",
            "epoch": "0", "provider": "apt", "output": "install ok installed",
        ]))
    }

    static func missing(_ sender: String, _ ensure: String) -> RPCResult {
        reply(sender, "status", RubyHash(symbolKeys: [
            "name": "chorus-test-tiny", "ensure": .str(ensure), "arch": .nil, "version": .nil, "release": .nil,
            "epoch": .nil, "provider": "apt", "output": "",
        ]))
    }

    @Test("status: version and architecture, absent or purged, failures in their own words; sorted, right-aligned")
    func statusLines() {
        let results = [
            Self.installed("web2", "1.0-1"),
            Self.missing("db1", "purged"),
            Self.installed("web10.example.com", "1.1-1"),
            Self.missing("cache", "absent"),
            Self.reply("broken", "status", status: 1, message: "dpkg-query -W … exited with status 2: dpkg-query: error", RubyHash()),
        ]
        #expect(Self.plain.lines(action: "status", results: results) == """
                          broken: dpkg-query -W … exited with status 2: dpkg-query: error
                           cache: absent
                             db1: purged
               web10.example.com: 1.1-1 (all)
                            web2: 1.0-1 (all)

            """)
    }

    @Test("the whole report: lines, the summary of versions and architectures from the DDL, the statistics")
    func statusReport() throws {
        let loaded = try BuiltinDDL.named("package")
        let ddl = try #require(loaded)
        let results = [Self.installed("node1", "1.0-1"), Self.installed("node2", "1.0-1"), Self.missing("node3", "purged")]
        let outcome = OracleReplies.outcome(discovered: ["node1", "node2", "node3"], results: results, block: 12)
        let text = Self.plain.render(action: "status", outcome: outcome, ddl: ddl)
        #expect(text == """
               node1: 1.0-1 (all)
               node2: 1.0-1 (all)
               node3: purged

            Summary of Ensure:

                1.0-1 = 2
               purged = 1

            Summary of Arch:

               all = 2


            Finished processing 3 / 3 hosts in 12.00 ms


            """)
    }

    @Test("update checks: a count and the names; -v adds each version and repository")
    func checkUpdates() {
        let outdated: RubyValue = .array([
            OutdatedPackage(package: "chorus-test-tiny", version: "1.1-1", repo: "localhost").rubyValue,
            OutdatedPackage(package: "bash", version: "5.2.15-2+b13", repo: "Debian:12.15/oldstable").rubyValue,
        ])
        let results = [
            Self.reply("node1", "checkupdates", RubyHash(symbolKeys: ["package_manager": "apt", "exitcode": 0, "output": "", "outdated_packages": outdated])),
            Self.reply("node2", "checkupdates", RubyHash(symbolKeys: ["package_manager": "apt", "exitcode": 0, "output": "", "outdated_packages": .array([])])),
        ]
        #expect(Self.plain.lines(action: "checkupdates", results: results) == """
               node1: 2 outdated: chorus-test-tiny bash
               node2: 0 outdated

            """)
        let verbose = PackageRenderer(style: .plain, verbose: true)
        #expect(verbose.lines(action: "checkupdates", results: results) == """
               node1: 2 outdated: chorus-test-tiny bash
                        chorus-test-tiny 1.1-1 (localhost)
                        bash 5.2.15-2+b13 (Debian:12.15/oldstable)
               node2: 0 outdated

            """)
    }

    @Test("apt_update: ok, or the tool's last line with -v; a failure in red on a terminal")
    func cacheActions() {
        let results = [
            Self.reply("node1", "apt_update", RubyHash(symbolKeys: ["exitcode": 0, "output": "Hit:1 file:/repo ./ InRelease\nReading package lists..."])),
            Self.reply("node2", "apt_update", status: 1, message: "apt-get update -q exited with status 100: E: boom", RubyHash(symbolKeys: ["exitcode": 100])),
        ]
        #expect(Self.plain.lines(action: "apt_update", results: results) == """
               node1: ok
               node2: apt-get update -q exited with status 100: E: boom

            """)
        let colour = PackageRenderer(style: TerminalStyle(colour: true), verbose: true)
        #expect(colour.lines(action: "apt_update", results: results) == """
               node1: Reading package lists...
               node2: \u{1B}[31mapt-get update -q exited with status 100: E: boom\u{1B}[0m

            """)
    }

    @Test("PACKAGE ACTION in either order; node-wide actions alone; anything else is explained")
    func words() throws {
        #expect(try PackageCommand.request(from: ["nginx", "status"]) == ("status", "nginx"))
        #expect(try PackageCommand.request(from: ["install", "nginx"]) == ("install", "nginx"))
        #expect(try PackageCommand.request(from: ["checkupdates"]) == ("checkupdates", nil))
        #expect(throws: (any Error).self) { try PackageCommand.request(from: []) }
        #expect(throws: (any Error).self) { try PackageCommand.request(from: ["nginx", "frobnicate"]) }
        #expect(throws: (any Error).self) { try PackageCommand.request(from: ["checkupdates", "nginx"]) }
        #expect(throws: (any Error).self) { try PackageCommand.request(from: ["nginx"]) }
    }
}
