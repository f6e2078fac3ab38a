import ChorusClient
import ChorusCore
import RubyMarshal
import Testing

/// Grouping puppetral replies into variants (ChorusClient.ResourceVariants): pure values in, pure values out.
@Suite("resource variants")
struct ResourceVariantsTests {
    static func found(_ node: String, _ parameters: KeyValuePairs<String, RubyValue>, status: Int = 0) -> RPCResult {
        RPCResult(sender: node, agent: "puppetral", action: "find", statusCode: status, statusMessage: status == 0 ? "OK" : "boom",
                  data: RubyHash(symbolKeys: ["type": "Host", "title": "vm", "parameters": .hash(RubyHash(symbolKeys: parameters))]))
    }

    static func searched(_ node: String, _ resources: [String: KeyValuePairs<String, RubyValue>]) -> RPCResult {
        let result = RubyHash(pairs: resources.keys.sorted().map { title in
            RubyHash.Pair(key: .str(title), value: .hash(RubyHash(stringKeys: ["type": "Host", "title": .str(title), "parameters": .hash(RubyHash(symbolKeys: resources[title]!))])))
        })
        return RPCResult(sender: node, agent: "puppetral", action: "search", statusCode: 0, statusMessage: "OK", data: RubyHash(symbolKeys: ["result": .hash(result)]))
    }

    @Test("nodes with equal properties share a variant; the most common variant comes first; differing properties are named")
    func variants() {
        let results = [
            Self.found("node3", ["ensure": "present", "ip": "10.0.0.9", "target": "/etc/hosts"]),
            Self.found("node1", ["ensure": "present", "ip": "127.0.0.1", "target": "/etc/hosts"]),
            Self.found("node2", ["ensure": "present", "ip": "127.0.0.1", "target": "/etc/hosts"]),
            Self.found("node4", ["ensure": "present", "ip": "127.0.0.1", "target": "/etc/hosts"], status: 1),
        ]
        let comparison = ResourceVariants.compare(type: "host", title: "vm", findResults: results)
        #expect(comparison.variants.map(\.nodes) == [["node1", "node2"], ["node3"]])
        #expect(comparison.differing == ["ip"])
        #expect(comparison.variants.allSatisfy { $0.differing == ["ip"] })
        #expect(comparison.nodes == ["node1", "node2", "node3"], "a failed reply is no observation")
    }

    @Test("property order does not make a variant; a property missing on one node differs")
    func orderAndMissing() {
        let comparison = ResourceVariants.compare(type: "host", title: "vm", findResults: [
            Self.found("a", ["ensure": "present", "ip": "1.1.1.1"]),
            Self.found("b", ["ip": "1.1.1.1", "ensure": "present"]),
            Self.found("c", ["ensure": "present", "ip": "1.1.1.1", "comment": "extra"]),
        ])
        #expect(comparison.variants.count == 2)
        #expect(comparison.variants[0].nodes == ["a", "b"])
        #expect(comparison.differing == ["comment"])
        #expect(comparison.variants[0].differing.isEmpty, "the variant without the property lists no property of its own as differing")
        #expect(comparison.variants[1].differing == ["comment"])
    }

    @Test("search replies: every title any node has, its nodes and variants; sorting by name, nodes, variants")
    func summaries() {
        let results = [
            Self.searched("node1", ["localhost": ["ip": "127.0.0.1"], "vm": ["ip": "127.0.0.1"], "only1": ["ip": "10.0.0.1"]]),
            Self.searched("node2", ["localhost": ["ip": "127.0.0.1"], "vm": ["ip": "127.0.0.1"]]),
            Self.searched("node3", ["localhost": ["ip": "127.0.0.1"], "vm": ["ip": "10.9.9.9"]]),
        ]
        let comparisons = ResourceVariants.compare(type: "host", searchResults: results)
        let byName = ResourceVariants.summaries(comparisons)
        #expect(byName == [
            ResourceSummary(title: "localhost", nodes: ["node1", "node2", "node3"], variants: 1),
            ResourceSummary(title: "only1", nodes: ["node1"], variants: 1),
            ResourceSummary(title: "vm", nodes: ["node1", "node2", "node3"], variants: 2),
        ])
        #expect(ResourceVariants.summaries(comparisons, sortedBy: .nodes).map(\.title) == ["localhost", "vm", "only1"])
        #expect(ResourceVariants.summaries(comparisons, sortedBy: .variants).map(\.title) == ["vm", "localhost", "only1"])
        #expect(ResourceVariants.similarity(comparisons, answeringNodes: 3) == 1.0 / 3.0, "only localhost is the same everywhere")
        #expect(ResourceVariants.similarity([], answeringNodes: 3) == 1)
    }
}
