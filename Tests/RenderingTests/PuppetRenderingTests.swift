import ChorusClient
import ChorusCore
import Foundation
import RubyMarshal
import Testing

@testable import chorus

/// `chorus puppet status|count|summary|runall` text, from synthetic replies.
@Suite("chorus puppet output")
struct PuppetRenderingTests {
    static let plain = TerminalStyle(colour: false)

    static func status(_ sender: String, enabled: Bool = true, applying: Bool = false, daemon: Bool = false, message: String = "Currently stopped") -> RPCResult {
        RPCResult(
            sender: sender, agent: "puppet", action: "status", statusCode: 0, statusMessage: "OK",
            data: RubyHash(symbolKeys: [
                "enabled": .bool(enabled), "applying": .bool(applying), "daemon_present": .bool(daemon),
                "idling": .bool(daemon && !applying), "message": .str(message),
            ]))
    }

    @Test("status: one line per node, senders right-aligned, failures with their message")
    func statusLines() {
        let failed = RPCResult(sender: "web10", agent: "puppet", action: "status", statusCode: 1, statusMessage: "Cannot read Puppet's state", data: RubyHash())
        let text = PuppetRenderer.singleField([Self.status("db1", message: "Currently idling; last completed run 05 seconds ago"), failed], field: "message", style: Self.plain)
        #expect(text == "     db1: Currently idling; last completed run 05 seconds ago\n   web10: Cannot read Puppet's state\n")
        #expect(PuppetRenderer.singleField([], field: "message", style: Self.plain) == "")
    }

    @Test("count: the tallies, and a failure line only when some node failed")
    func count() {
        let results = [
            Self.status("a"), Self.status("b", enabled: false), Self.status("c", applying: true, daemon: true), Self.status("d", daemon: true),
            RPCResult(sender: "e", agent: "puppet", action: "status", statusCode: 5, statusMessage: "boom", data: RubyHash()),
        ]
        let counts = PuppetRenderer.Counts(results)
        #expect(counts.nodes == 4 && counts.enabled == 3 && counts.disabled == 1 && counts.applying == 1 && counts.stopped == 3)
        #expect(counts.daemonRunning == 2 && counts.daemonStopped == 2 && counts.idling == 1 && counts.failed == 1)
        let text = PuppetRenderer.count(counts, style: Self.plain)
        #expect(text.hasPrefix("Total Puppet nodes: 4\n\n          Nodes currently enabled: 3\n         Nodes currently disabled: 1\n"))
        #expect(text.contains("Nodes currently doing puppet runs: 1\n          Nodes currently stopped: 3\n"))
        #expect(text.contains("       Daemons started but idling: 1\n"))
        #expect(text.hasSuffix("Failed to retrieve status of 1 node\n"))
        #expect(!PuppetRenderer.count(PuppetRenderer.Counts(Array(results.prefix(2))), style: Self.plain).contains("Failed"))
    }

    @Test("sparklines: the fullest bucket is the tallest tick; a flat population is the lowest tick")
    func sparkline() {
        #expect(PuppetRenderer.sparkline([0, 6, 3, 1]) == "▁▇▄▂")
        #expect(PuppetRenderer.sparkline([2, 2, 2]) == "▁▁▁")
        #expect(PuppetRenderer.shortNumber(950) == "950.0")
        #expect(PuppetRenderer.shortNumber(1500) == "1.5k")
        #expect(PuppetRenderer.shortNumber(2_500_000) == "2.5m")
    }

    @Test("summary: a graph per field with min, avg and max; failed replies do not count")
    func summary() throws {
        func summary(_ sender: String, total: Int, time: Double) -> RPCResult {
            RPCResult(
                sender: sender, agent: "puppet", action: "last_run_summary", statusCode: 0, statusMessage: "OK",
                data: RubyHash(symbolKeys: [
                    "total_resources": .int(total), "out_of_sync_resources": 0, "failed_resources": 0, "changed_resources": 1,
                    "corrected_resources": 0, "config_retrieval_time": .float(time), "total_time": .float(time * 2), "since_lastrun": 60,
                ]))
        }
        let failed = RPCResult(sender: "x", agent: "puppet", action: "last_run_summary", statusCode: 1, statusMessage: "no", data: RubyHash(symbolKeys: ["total_resources": 1_000_000]))
        let results = [summary("a", total: 10, time: 1), summary("b", total: 10, time: 1), summary("c", total: 30, time: 3), failed]
        let distribution = try #require(PuppetRenderer.Distribution(results, field: "total_resources"))
        #expect(distribution.minimum == 10 && distribution.maximum == 30)
        #expect(abs(distribution.average - 50.0 / 3) < 1e-9)
        #expect(distribution.buckets.reduce(0, +) == 3 && distribution.buckets[0] == 2)
        let text = PuppetRenderer.summary(results)
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        #expect(lines[0] == "Summary statistics for 4 nodes:")
        #expect(lines[2] == "                  Total resources: ▇▁▁▁▁▁▁▁▁▁▁▁▁▁▁▁▁▁▁▄  min: 10.0   avg: 16.7   max: 30.0  ")
        #expect(lines[4] == "                 Failed resources: ▁▁▁▁▁▁▁▁▁▁▁▁▁▁▁▁▁▁▁▁  min: 0.0    avg: 0.0    max: 0.0   ")
        #expect(lines[9] == "    Time since last run (seconds): ▁▁▁▁▁▁▁▁▁▁▁▁▁▁▁▁▁▁▁▁  min: 60.0   avg: 60.0   max: 60.0  ")
        #expect(PuppetRenderer.Distribution([failed], field: "total_resources") == nil)
        let json = PuppetRenderer.summaryJSON(results)
        #expect(json["fields"]?["total_resources"]?["max"] == .float(30))
    }

    @Test("runall log lines carry a local timestamp; schedule status from the reply")
    func runallLines() {
        let date = Date(timeIntervalSince1970: 1_700_000_000)
        #expect(PuppetRenderer.logLine("Found 3 enabled nodes", at: date, timeZone: TimeZone(identifier: "UTC")!) == "2023-11-14 22:13:20: Found 3 enabled nodes")
        let ok = RPCResult(sender: "n1", agent: "puppet", action: "runonce", statusCode: 0, statusMessage: "OK", data: RubyHash(symbolKeys: ["summary": "Started a Puppet run using the 'puppet agent' command"]))
        #expect(PuppetRenderer.scheduleStatus(node: "n1", result: ok) == "n1 schedule status: Started a Puppet run using the 'puppet agent' command")
        let refused = RPCResult(sender: "n2", agent: "puppet", action: "runonce", statusCode: 1, statusMessage: "Puppet is disabled", data: RubyHash())
        #expect(PuppetRenderer.scheduleStatus(node: "n2", result: refused) == "n2 schedule status: Puppet is disabled")
        #expect(PuppetRenderer.scheduleStatus(node: "n3", result: nil) == "n3 did not return a result")
    }
}
