import ChorusClient
import Testing

@testable import chorus

/// The progress indicator, compared with mco run on a 100x40 terminal (tty_rpc_ping.txt,
/// captured through script(1), so every `\n` arrived as `\r\n`).
@Suite("mco progress indicator")
struct ProgressRenderingTests {
    typealias R = OracleReplies

    /// The bar with the red twirl advancing per reply and the green `*`, the blank lines
    /// around it, then the replies: all of it byte for byte after the terminal's `\r\n`.
    @Test func barOnATerminal() throws {
        let outcome = R.outcome(discovered: R.nodes, results: ["node3", "node1", "node2"].map { R.pong($0, 1_795_543_451) }, block: 17.33)
        let printed = RPCPrinting.throughTerminal(try RPCPrinting.printed("ping", outcome, progressWidth: 100))
        let oracle = try OracleOutput("tty_rpc_ping")
        expectSameBytes(printed, oracle.printed(removing: [OracleOutput.discoveryLine]), "tty_rpc_ping")
    }

    /// mco redraws a plain `\r1 / 3` when stdout is not a terminal. Chorus draws no
    /// indicator there on purpose (`RPCOutput` checks `isatty`), so piped output holds no
    /// carriage returns; what it prints then is exactly mco's `--np` output (rpc_np.txt,
    /// see `RPCResultRenderingTests.pingWithoutProgress`). The plain counter itself is kept
    /// for terminals too narrow for a bar, and matches mco's.
    @Test func plainCounter() throws {
        let progress = ProgressRenderer(style: RPCPrinting.colour, width: 22)
        let drawn = (0...3).map { progress.update(done: $0, total: 3) }.joined() + progress.finish()
        let oracle = try OracleOutput("rpc_ping").printed(removing: [OracleOutput.discoveryLine])
        #expect(drawn == "\n\r0 / 3\r1 / 3\r2 / 3\r3 / 3\n\n")
        #expect(oracle.hasPrefix(drawn + "\nnode1 "))
    }

    /// The bar is as wide as the terminal allows, at most 60 characters between the brackets.
    @Test func barWidthFollowsTheTerminal() {
        let narrow = ProgressRenderer(style: .plain, width: 40).render(done: 1, total: 2)
        #expect(narrow == "\r / [ =========>          ] 1 / 2")
        let wide = ProgressRenderer(style: .plain, width: 300).render(done: 3, total: 3)
        #expect(wide == "\r * [ " + String(repeating: "=", count: 60) + "> ] 3 / 3")
    }
}
