import ChorusClient
import ChorusCore
import RubyMarshal
import Testing

@testable import chorus

/// `mco rpc` outputs from the oracle run, reproduced byte for byte (colour on) from the same
/// replies and timings. The discovery line is cut from the oracle text: mco writes it to
/// stderr from its discovery code, and Chorus words it differently on purpose
/// (`… for up to N second(s)`, see `discoveryLineIsChorusOwnWording`).
@Suite("mco rpc output")
struct RPCResultRenderingTests {
    typealias R = OracleReplies

    private func expectOracle(
        _ name: String, _ printed: String, exit outcome: RPCOutcome? = nil, discoveryRan: Bool = true,
        sourceLocation: SourceLocation = #_sourceLocation
    ) throws {
        let oracle = try OracleOutput(name)
        let expected = oracle.printed(removing: [OracleOutput.discoveryLine, OracleOutput.warning])
        expectSameBytes(printed, expected, name, sourceLocation: sourceLocation)
        if let outcome {
            #expect(
                Int(ExitStatus.code(for: outcome, discoveryRan: discoveryRan)) == oracle.exitCode,
                "exit code of \(name)", sourceLocation: sourceLocation)
        }
    }

    @Test func ping() throws {
        let outcome = R.outcome(discovered: R.nodes, results: ["node1", "node3", "node2"].map { R.pong($0, 1_795_542_440) }, block: 10.74)
        try expectOracle("rpc_ping", try RPCPrinting.printed("ping", outcome), exit: outcome)
    }

    /// `--np`: no progress indicator, so the replies block starts right after discovery.
    /// This is also what `chorus rpc` prints when stdout is not a terminal (see the report in
    /// `ProgressRenderingTests`).
    @Test func pingWithoutProgress() throws {
        let outcome = R.outcome(discovered: R.nodes, results: ["node2", "node1", "node3"].map { R.pong($0, 1_795_542_547) }, block: 10.97)
        try expectOracle("rpc_np", try RPCPrinting.printed("ping", outcome, showProgress: false), exit: outcome)
    }

    /// `--batch 1`: after the last batch mco ends the indicator's line without a blank line.
    @Test func batches() throws {
        let results = [R.pong("node1", 1_795_542_451), R.pong("node2", 1_795_542_452), R.pong("node3", 1_795_542_453)]
        let outcome = R.outcome(discovered: R.nodes, results: results, block: 3023.89)
        try expectOracle("batch1", try RPCPrinting.printed("ping", outcome, batched: true), exit: outcome)
    }

    /// Nothing discovered: mco's notice, the end of the (never drawn) indicator, the empty
    /// replies block and no statistics.
    @Test func nothingDiscovered() throws {
        let ddl = try RPCPrinting.rpcutil()
        let renderer = RPCResultRenderer(style: RPCPrinting.colour, ddl: ddl, action: ddl.action(named: "ping"))
        let printed = RPCOutput.nothingDiscovered + ProgressRenderer(style: RPCPrinting.colour, width: nil).finish() + renderer.results([])
        try expectOracle("rpc_no_match", printed)
        #expect(try OracleOutput("rpc_no_match").exitCode == 1)
    }

    /// `-v`: `sender : statusmsg`, the data's `inspect`, and the yellow "call stats" block.
    @Test func verbose() throws {
        let outcome = R.outcome(
            discovered: R.nodes, results: ["node3", "node1", "node2"].map { R.pong($0, 1_795_542_545) },
            startTime: 1_795_542_545.2, discovery: 2003.27, block: 10.53, total: 2013.80)
        try expectOracle("rpc_verbose", try RPCPrinting.printed("ping", outcome, verbose: true), exit: outcome)
    }

    /// A Hash value printed with `inspect` on the label's line.
    @Test func getFacts() throws {
        let reply = try R.captured("53_rpc_get_facts_reply_SEND", action: "get_facts")
        let outcome = R.outcome(discovered: ["node2"], results: [reply], block: 8.31)
        try expectOracle("rpc_get_facts", try RPCPrinting.printed("get_facts", outcome), exit: outcome, discoveryRan: false)
    }

    /// Status 1: red "Request Aborted", the yellow message, no data, and the aggregate that
    /// could not be computed; exit code 2.
    @Test func failedReply() throws {
        let reply = try R.captured("52_rpc_get_config_item_failed_reply_statuscode1_SEND", action: "get_config_item")
        let outcome = R.outcome(discovered: ["node1"], results: [reply], block: 11.27)
        try expectOracle(
            "rpc_get_config_item_bad", try RPCPrinting.printed("get_config_item", outcome), exit: outcome, discoveryRan: false)
    }

    /// Labels from the DDL's `display_as`, aligned on the colon; an Array summary.
    @Test func collectiveInfo() throws {
        let data = RubyHash(symbolKeys: ["main_collective": "mcollective", "collectives": ["mcollective"]])
        let outcome = R.outcome(
            discovered: R.nodes, results: ["node3", "node1", "node2"].map { R.ok($0, "collective_info", data) }, block: 11.47)
        try expectOracle("rpc_collective_info", try RPCPrinting.printed("collective_info", outcome), exit: outcome)
    }

    /// A long Array of Hashes wrapped as Ruby's `pp` does, indented under the label.
    @Test func agentInventory() throws {
        let reply = try R.captured("54_rpc_agent_inventory_reply_SEND", action: "agent_inventory")
        let outcome = R.outcome(discovered: ["node2"], results: [reply], block: 5.93)
        try expectOracle("rpc_agent_inventory", try RPCPrinting.printed("agent_inventory", outcome), exit: outcome, discoveryRan: false)
    }

    /// Keys the DDL does not declare are printed under their own names, sorted.
    @Test func getData() throws {
        let reply = try R.captured("55_rpc_get_data_fstat_reply_SEND", action: "get_data")
        let outcome = R.outcome(discovered: ["node3"], results: [reply], block: 10.30)
        try expectOracle("rpc_get_data", try RPCPrinting.printed("get_data", outcome), exit: outcome, discoveryRan: false)
    }

    /// A Hash with String keys wrapped over several lines, Arrays on one line.
    @Test func inventory() throws {
        let reply = try R.captured("31_rpc_inventory_reply_SEND", action: "inventory")
        let outcome = R.outcome(discovered: ["node1"], results: [reply], block: 14.43)
        try expectOracle("rpc_inventory_node1", try RPCPrinting.printed("inventory", outcome), exit: outcome, discoveryRan: false)
    }

    /// The bold "Summary of Value:" block from the DDL's summary aggregate.
    @Test func getFactSummary() throws {
        let results = [R.fact("node1", "osfamily", "Debian"), R.fact("node2", "osfamily", "RedHat"), R.fact("node3", "osfamily", "Debian")]
        let outcome = R.outcome(discovered: R.nodes, results: results, block: 13.93)
        try expectOracle("get_fact_osfamily", try RPCPrinting.printed("get_fact", outcome), exit: outcome)
    }

    /// Ties in a summary keep MCollective's order (node3, node2, node1 with one each).
    @Test func summaryTies() throws {
        let results = R.nodes.map {
            R.ok($0, "get_config_item", RubyHash(symbolKeys: ["item": "identity", "value": .str($0)]))
        }
        let outcome = R.outcome(discovered: R.nodes, results: results, block: 12.84)
        try expectOracle("rpc_get_config_item", try RPCPrinting.printed("get_config_item", outcome), exit: outcome)
    }

    /// A named node that never answers: red counts and the "No response from:" block. The
    /// warning mco logs to stderr on the way is cut (Chorus logs its own).
    @Test func missingNode() throws {
        let outcome = R.outcome(discovered: ["node1", "node9"], results: [R.pong("node1", 1_795_542_557)], block: 12016.88)
        try expectOracle("rpc_missing_identity", try RPCPrinting.printed("ping", outcome), exit: outcome, discoveryRan: false)
    }

    /// `-j`: one JSON array in arrival order, keys in mco's order, then a newline.
    @Test func json() throws {
        let results = [R.fact("node3", "role", "web"), R.fact("node1", "role", "web"), R.fact("node2", "role", "db")]
        let oracle = try OracleOutput("rpc_json")
        expectSameBytes(JSONResultRenderer.render(results) + "\n", oracle.printed, "rpc_json")
    }

    /// Chorus announces discovery as "… for up to N second(s) …" because it stops as soon as
    /// the answers stop coming, where mco always waits the whole time; the rest of the line
    /// is mco's, so scripts that read the count after "...." still work.
    @Test func discoveryLineIsChorusOwnWording() throws {
        let line = try #require(
            try OracleOutput("rpc_ping").printed.split(separator: "\n").first { $0.hasPrefix(OracleOutput.discoveryLine) })
        #expect(line == "Discovering hosts using the mc method for 2 second(s) .... 3")
        #expect(RPCOutput.discoveryAnnouncement(seconds: 2) == "Discovering hosts using the mc method for up to 2 second(s) .... ")
    }
}
