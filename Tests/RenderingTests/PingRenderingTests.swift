import Testing

@testable import ChorusClient
@testable import chorus

/// `mco ping` (application/ping.rb): one line per answer as it arrives, then the statistics.
@Suite("mco ping output")
struct PingRenderingTests {
    /// What `chorus ping` prints: each answer's line as it arrives, then the statistics. The
    /// times are the oracle's to three decimals (it printed two), chosen so the average rounds
    /// as mco's did.
    private func printed(_ replies: [PingReply]) -> String {
        replies.map { PingRenderer.line($0, style: RPCPrinting.colour) + "\n" }.joined()
            + PingRenderer.statistics(replies, style: RPCPrinting.colour)
    }

    @Test func ping() throws {
        let replies = [
            PingReply(sender: "node1", milliseconds: 13.583), PingReply(sender: "node3", milliseconds: 13.784),
            PingReply(sender: "node2", milliseconds: 14.324),
        ]
        let oracle = try OracleOutput("ping")
        expectSameBytes(printed(replies), oracle.printed, "ping")
        #expect(oracle.exitCode == 0)
    }

    /// On a terminal mco prints the same text (no colour, no progress).
    @Test func pingOnATerminal() throws {
        let replies = [
            PingReply(sender: "node3", milliseconds: 12.0), PingReply(sender: "node2", milliseconds: 53.11),
            PingReply(sender: "node1", milliseconds: 57.12),
        ]
        expectSameBytes(RPCPrinting.throughTerminal(printed(replies)), try OracleOutput("tty_ping").printed, "tty_ping")
    }

    /// Nobody answered: the heading, then mco's "No responses received".
    @Test func noAnswers() {
        #expect(PingRenderer.statistics([], style: .plain) == "\n\n---- ping statistics ----\nNo responses received\n")
    }
}
