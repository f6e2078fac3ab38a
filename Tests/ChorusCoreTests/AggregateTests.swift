import ChorusCore
import RubyMarshal
import Testing

@Suite("Aggregates")
struct AggregateTests {
    private func result(_ sender: String, _ data: RubyHash, status: Int = 0) -> RPCResult {
        RPCResult(
            sender: sender, agent: "rpcutil", action: "get_fact", statusCode: status,
            statusMessage: status == 0 ? "OK" : "failed", data: data)
    }

    private func action(_ aggregates: [AggregateSpec], outputs: [String] = ["value"]) -> ActionDDL {
        ActionDDL(
            name: "a", description: "d",
            outputs: outputs.map { OutputDDL(name: $0, description: "d", displayAs: $0.capitalized) },
            aggregates: aggregates)
    }

    @Test("summary of get_fact osfamily, as mco prints it")
    func summaryOfValues() throws {
        let getFact = try #require(try DDLFixtures.rpcutil().action(named: "get_fact"))
        let results = [
            result("node1", RubyHash(symbolKeys: ["fact": "osfamily", "value": "Debian"])),
            result("node2", RubyHash(symbolKeys: ["fact": "osfamily", "value": "RedHat"])),
            result("node3", RubyHash(symbolKeys: ["fact": "osfamily", "value": "Debian"])),
        ]
        let summaries = Aggregator.summarize(results, action: getFact)
        #expect(summaries.count == 1)
        #expect(summaries[0].label == "Value")
        #expect(summaries[0].text == "Debian = 2\nRedHat = 1")
        #expect(
            summaries[0].outcome
                == .counts([
                    AggregateSummary.ValueCount(value: "Debian", count: 2), AggregateSummary.ValueCount(value: "RedHat", count: 1),
                ]))
    }

    @Test("summary right-aligns values to the longest and counts array elements")
    func summaryAlignmentAndArrays() {
        let summary = Aggregator.summarize(
            [
                result("n1", RubyHash(symbolKeys: ["value": ["mcollective", "dev"]])),
                result("n2", RubyHash(symbolKeys: ["value": ["mcollective"]])),
                result("n3", RubyHash(symbolKeys: ["value": ["mcollective", "dev", "a"]])),
            ], action: action([AggregateSpec(function: .summary, output: "value")]))
        #expect(summary[0].text == "mcollective = 3\n        dev = 2\n          a = 1")
    }

    @Test("summary: numbers, nil skipped, String keys equal across encodings, ties in reverse order of appearance")
    func summaryDetails() {
        let summary = Aggregator.summarize(
            [
                result("n1", RubyHash(symbolKeys: ["value": 8])),
                result("n2", RubyHash(symbolKeys: ["value": .nil])),
                result("n3", RubyHash(symbolKeys: ["value": .ascii("4")])),
                result("n4", RubyHash(symbolKeys: ["value": "4"])),
                result("n5", RubyHash(symbolKeys: ["value": 16])),
            ], action: action([AggregateSpec(function: .summary, output: "value")]))
        #expect(summary[0].text == " 4 = 2\n16 = 1\n 8 = 1")
    }

    @Test("failed replies are skipped; nothing left gives an empty text")
    func failedRepliesSkipped() throws {
        let getConfigItem = try #require(try DDLFixtures.rpcutil().action(named: "get_config_item"))
        let summaries = Aggregator.summarize(
            [result("node1", getConfigItem.defaultReplyData(), status: 1)], action: getConfigItem)
        #expect(summaries.count == 1)
        #expect(summaries[0].text == "")
        #expect(summaries[0].outcome == .counts([]))
        #expect(summaries[0].failure == nil)
    }

    @Test("a nil inside an array value makes the summary empty, as in MCollective")
    func nilElement() {
        let summary = Aggregator.summarize(
            [result("n1", RubyHash(symbolKeys: ["value": ["a", .nil]]))],
            action: action([AggregateSpec(function: .summary, output: "value")]))
        #expect(summary[0].text == "")
    }

    @Test("average and sum with MCollective's default formats")
    func averageAndSum() {
        let specs = [AggregateSpec(function: .average, output: "value"), AggregateSpec(function: .sum, output: "value")]
        let results = [10, 13, 14].enumerated().map { result("n\($0.offset)", RubyHash(symbolKeys: ["value": .int($0.element)])) }
        let summaries = Aggregator.summarize(results, action: action(specs))
        // Integer average floors, as Ruby's Integer#/ does.
        #expect(summaries[0].outcome == .number(12))
        #expect(summaries[0].text == "Average of value: 12.000000")
        #expect(summaries[1].outcome == .number(37))
        #expect(summaries[1].text == "Sum of value: 37.000000")
    }

    @Test("average of floats, custom formats")
    func customFormats() {
        let specs = [
            AggregateSpec(function: .average, output: "value", format: "Mean: %.2f"),
            AggregateSpec(function: .summary, output: "value", format: "%s seen %d time(s)"),
        ]
        let results = [1.5, 2.0].map { result("n", RubyHash(symbolKeys: ["value": .float($0)])) }
        let summaries = Aggregator.summarize(results, action: action(specs))
        #expect(summaries[0].text == "Mean: 1.75")
        #expect(summaries[1].text == "2.0 seen 1 time(s)\n1.5 seen 1 time(s)")
    }

    @Test("non-numeric values and empty averages fail with MCollective's messages")
    func failures() {
        let specs = [AggregateSpec(function: .sum, output: "value"), AggregateSpec(function: .average, output: "other")]
        let summaries = Aggregator.summarize(
            [result("n", RubyHash(symbolKeys: ["value": "12", "other": .nil]), status: 0)],
            action: action(specs, outputs: ["value", "other"]))
        #expect(summaries[0].failure == .processResult)
        #expect(summaries[0].failure?.message == "exception raised while processing result data")
        #expect(summaries[1].failure == .processResult)

        let empty = Aggregator.summarize([], action: action([AggregateSpec(function: .average, output: "value")]))
        #expect(empty[0].failure == .summarize)
        #expect(empty[0].failure?.message == "exception raised while summarizing")
        let emptySum = Aggregator.summarize([], action: action([AggregateSpec(function: .sum, output: "value")]))
        #expect(emptySum[0].text == "Sum of value: 0.000000")
    }

    @Test("a format that does not fit the values is a summarize failure")
    func badFormat() {
        let summaries = Aggregator.summarize(
            [result("n", RubyHash(symbolKeys: ["value": "x"]))],
            action: action([AggregateSpec(function: .summary, output: "value", format: "%s %s %s")]))
        #expect(summaries[0].failure == .summarize)
    }

    @Test("the streaming aggregator matches the batch one")
    func streaming() throws {
        let getFact = try #require(try DDLFixtures.rpcutil().action(named: "get_fact"))
        var aggregator = Aggregator(action: getFact)
        #expect(!aggregator.isEmpty)
        aggregator.process(result("a", RubyHash(symbolKeys: ["value": "web"])))
        #expect(aggregator.summaries()[0].text == "web = 1")
        aggregator.process(result("b", RubyHash(symbolKeys: ["value": "db"])))
        aggregator.process(result("c", RubyHash(symbolKeys: ["value": "web"])))
        #expect(aggregator.summaries()[0].text == "web = 2\n db = 1")
        #expect(Aggregator(action: try #require(try DDLFixtures.rpcutil().action(named: "ping"))).isEmpty)
    }

    @Test(
        "Ruby format directives",
        arguments: [
            ("%5s|%-5s|", ["ab", "cd"], "   ab|cd   |"), ("%.2s", ["abcdef"], "ab"), ("%p", ["x"], "\"x\""),
            ("%d", [3.99], "3"), ("%05d", ["42"], "00042"), ("%+d", [5], "+5"), ("%x", [255], "ff"),
            ("%o", [8], "10"), ("%b", [5], "101"), ("%f", [12], "12.000000"), ("%.3f", ["1.5"], "1.500"),
            ("%e", [12345.678], "1.234568e+04"), ("%g", [0.0001], "0.0001"), ("100%%", [], "100%"),
            ("%s and %s", [.nil, .symbol("sym")], " and sym"), ("%s", [["a", 1]], "[\"a\", 1]"), ("%c", [65], "A"),
            ("%s", [.bigInt(negative: false, magnitude: [0, 0, 0, 0, 0, 0, 0, 0, 1])], "18446744073709551616"),
        ] as [(String, [RubyValue], String)])
    func rubyFormat(template: String, arguments: [RubyValue], expected: String) throws {
        #expect(try RubyFormat.format(template, arguments) == expected)
    }

    @Test("Ruby format errors", arguments: [("%d", [RubyValue.nil]), ("%d", ["abc"]), ("%f", ["1.2x"]), ("%s %s", ["a"]), ("%", ["a"]), ("%k", [1])])
    func rubyFormatErrors(template: String, arguments: [RubyValue]) {
        #expect(throws: RubyFormat.Failure.self) { try RubyFormat.format(template, arguments) }
    }

    @Test("to_s of values")
    func rubyText() {
        #expect(RubyValue.str("a").rubyText == "a")
        #expect(RubyValue.symbol("a").rubyText == "a")
        #expect(RubyValue.nil.rubyText == "")
        #expect(RubyValue.float(0.200653).rubyText == "0.200653")
        #expect(RubyValue.hash(RubyHash(stringKeys: ["a": 1])).rubyText == "{\"a\"=>1}")
        #expect(RubyValue.regexp(pattern: "a.b", options: 1).rubyText == "(?i-mx:a.b)")
    }
}
