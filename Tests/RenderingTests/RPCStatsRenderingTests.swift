import ChorusCore
import Testing

@testable import chorus

/// rpc/stats.rb `report` beyond the oracle's captures: the layouts follow its code, where
/// `if @discovered` always holds (an Integer, even 0, is true in Ruby) and the blank lines
/// come from joining `["", block, …, ""]` with newlines.
@Suite("mco call statistics")
struct RPCStatsRenderingTests {
    let renderer = RPCStatsRenderer(style: RPCPrinting.colour, verbose: false)

    /// Nothing discovered still reads "0 / 0", green.
    @Test func nothingDiscoveredReadsZeroOfZero() {
        let text = renderer.report(stats: RPCStats(blockTime: .milliseconds(2)), summaries: [])
        #expect(text == "\nFinished processing \u{1B}[32m0\u{1B}[0m / \u{1B}[32m0\u{1B}[0m hosts in 2.00 ms\n\n")
    }

    /// More answers than nodes asked (an unexpected responder) is not a shortfall: green.
    @Test func unexpectedAnswersKeepTheCountsGreen() {
        let stats = RPCStats(discovered: ["node1"], responded: ["node1", "stray"], okCount: 2, unexpectedResponses: ["stray"])
        let text = renderer.report(stats: stats, summaries: [])
        #expect(text.contains("Finished processing \u{1B}[32m2\u{1B}[0m / \u{1B}[32m1\u{1B}[0m hosts"))
    }

    /// Both blocks: each after one blank line, then a blank line at the end.
    @Test func missingAndUnexpectedBlocks() {
        let stats = RPCStats(discovered: ["node1", "node9"], responded: ["node1", "stray"], okCount: 2, unexpectedResponses: ["stray"])
        let text = RPCStatsRenderer(style: .plain, verbose: false).report(stats: stats, summaries: [])
        let column = { (name: String) in "    " + name + String(repeating: " ", count: 30 - name.count) + String(repeating: " ", count: 31 * 2) + "\n" }
        let expected = "\nFinished processing 2 / 2 hosts in 0.00 ms\n\n\n"
            + "No response from:\n\n" + column("node9") + "\n\n"
            + "Unexpected response from:\n\n" + column("stray") + "\n"
        expectSameBytes(text, expected, "stats with both blocks")
    }
}
