import ChorusCore
import RubyMarshal
import Testing

@testable import chorus

/// `mco facts FACT` (application/facts.rb): no progress indicator and no discovery line
/// (facts.rb turns progress off), each value with its count, then the call statistics.
@Suite("mco facts output")
struct FactsRenderingTests {
    typealias R = OracleReplies

    @Test func report() throws {
        let results = [R.fact("node1", "role", "web"), R.fact("node2", "role", "db"), R.fact("node3", "role", "web")]
        let outcome = R.outcome(discovered: R.nodes, results: results, block: 12.40)
        let printed = FactsRenderer.render(fact: "role", outcome: outcome, verbose: false, style: RPCPrinting.colour, timeZone: RPCPrinting.utc)
        let oracle = try OracleOutput("facts_role")
        expectSameBytes(printed, oracle.printed, "facts_role")
    }

    /// facts.rb counts `value.to_s` for every reply whose data has a `:value` key, so a node
    /// without the fact (value nil) is counted under the empty value.
    @Test func nodesWithoutTheFactCountAsEmpty() {
        let results = [R.fact("node1", "role", "web"), R.ok("node2", "get_fact", RubyHash(symbolKeys: ["fact": "role", "value": .nil]))]
        let text = FactsRenderer.text(fact: "role", results: results, verbose: false)
        #expect(text == "Report for fact: role\n\n        " + String(repeating: " ", count: 40) + " found 1 times\n        "
            + "web" + String(repeating: " ", count: 37) + " found 1 times\n")
    }

    /// No reply carried a value: mco says so instead of an empty report.
    @Test func noValues() {
        let failed = RPCResult(sender: "node1", agent: "rpcutil", action: "get_fact", statusCode: 5, statusMessage: "boom", data: RubyHash())
        #expect(FactsRenderer.text(fact: "role", results: [failed], verbose: false) == "No values found for fact role\n")
    }

    /// `-v` lists each value's nodes, sorted, between blank lines.
    @Test func verboseListsNodes() {
        let results = [R.fact("node3", "role", "web"), R.fact("node1", "role", "web")]
        let text = FactsRenderer.text(fact: "role", results: results, verbose: true)
        #expect(text.hasSuffix(" found 2 times\n\n            node1\n            node3\n\n"))
    }
}
