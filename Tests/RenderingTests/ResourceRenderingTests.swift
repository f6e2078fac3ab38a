import ChorusClient
import ChorusCore
import RubyMarshal
import Testing

@testable import chorus

/// `chorus resource` output: the list, the variants with differing properties highlighted
/// (a `*` margin without colour, bold yellow with it), Inspect All, failures, JSON.
@Suite("chorus resource output")
struct ResourceRenderingTests {
    static let comparison = ResourceVariants.compare(type: "host", title: "vm", observations: [
        ResourceObservation(node: "node1", properties: [.init(name: "ensure", value: "present"), .init(name: "ip", value: "127.0.0.1"), .init(name: "target", value: "/etc/hosts")]),
        ResourceObservation(node: "node2", properties: [.init(name: "ensure", value: "present"), .init(name: "ip", value: "127.0.0.1"), .init(name: "target", value: "/etc/hosts")]),
        ResourceObservation(node: "node3", properties: [
            .init(name: "ensure", value: "present"), .init(name: "ip", value: "10.0.0.3"), .init(name: "host_aliases", value: ["vm.example.com", "it's"]),
            .init(name: "target", value: "/tmp/hosts"),
        ]),
    ])

    @Test("one resource without colour: each variant as a manifest, '*' before differing properties, the nodes listed")
    func inspectPlain() {
        let text = ResourceRenderer(style: .plain).inspect(Self.comparison)
        #expect(text == """
            host 'vm': 2 variants on 3 nodes; differing: ip, target, host_aliases

            Variant 1 of 2, on 2 nodes: node1, node2

              host { 'vm':
                ensure => 'present',
            *   ip     => '127.0.0.1',
            *   target => '/etc/hosts',
              }

            Variant 2 of 2, on 1 node: node3

              host { 'vm':
                ensure       => 'present',
            *   ip           => '10.0.0.3',
            *   host_aliases => ['vm.example.com', 'it\\'s'],
            *   target       => '/tmp/hosts',
              }

            *: differs between variants

            """)
    }

    @Test("with colour, differing properties are bold yellow and no '*' is printed")
    func inspectColour() {
        let text = ResourceRenderer(style: TerminalStyle(colour: true)).inspect(Self.comparison)
        #expect(text.contains("    ensure => 'present',\n"))
        #expect(text.contains("  \u{1B}[1m\u{1B}[33m  ip     => '127.0.0.1',\u{1B}[0m\u{1B}[0m\n"))
        #expect(!text.contains("* "))
    }

    @Test("one variant everywhere: nothing highlighted, no legend")
    func identical() {
        let same = ResourceVariants.compare(type: "user", title: "root", observations: [
            ResourceObservation(node: "a", properties: [.init(name: "uid", value: 0)]),
            ResourceObservation(node: "b", properties: [.init(name: "uid", value: 0)]),
        ])
        #expect(ResourceRenderer(style: .plain).inspect(same) == """
            user 'root': 1 variant on 2 nodes

            Variant 1 of 1, on 2 nodes: a, b

              user { 'root':
                uid => 0,
              }

            """)
        #expect(ResourceRenderer(style: .plain).inspect(ResourceVariants.compare(type: "user", title: "x", observations: [])) == "user 'x': no node reported it\n")
    }

    @Test("the list: name, nodes, variants, rows with several variants marked")
    func list() {
        let summaries = [
            ResourceSummary(title: "localhost", nodes: ["a", "b", "c"], variants: 1),
            ResourceSummary(title: "vm", nodes: ["a", "b", "c"], variants: 2),
        ]
        #expect(ResourceRenderer(style: .plain).list(type: "host", summaries: summaries, answering: 3) == """
            host resources on 3 nodes: 2 resources, 1 with more than one variant

              NAME       NODES  VARIANTS
              localhost      3         1
            * vm             3         2

            *: has more than one variant: see chorus resource host NAME

            """)
        #expect(ResourceRenderer(style: .plain).list(type: "user", summaries: [], answering: 1) == "user resources on 1 node: 0 resources, 0 with more than one variant\n")
    }

    @Test("Inspect All: per type counts and similarity")
    func inspectAll() {
        let rows = [
            ResourceRenderer.TypeRow(type: "group", resources: 40, varied: 0, similarity: 1),
            ResourceRenderer.TypeRow(type: "host", resources: 3, varied: 1, similarity: 2.0 / 3.0),
        ]
        #expect(ResourceRenderer(style: .plain).inspectAll(rows, answering: 3) == """
            Resources on 3 nodes

              TYPE     RESOURCES  VARIANTS>1  SIMILARITY
              group           40           0        100%
            * host             3           1         66%

            Similarity: the share of resources identical on every node that answered.

            """)
    }

    @Test("failures and silent nodes are reported after the result")
    func problems() {
        let failed = RPCResult(sender: "node9", agent: "puppetral", action: "find", statusCode: 1, statusMessage: "cannot read /etc/hosts: no such file", data: RubyHash())
        #expect(ResourceRenderer(style: .plain).problems(results: [failed], noResponse: ["node8"]) ==
            "\nFailed on 1 node:\n  node9: cannot read /etc/hosts: no such file\n\nNo response from: node8\n")
        #expect(ResourceRenderer(style: .plain).problems(results: [], noResponse: []).isEmpty)
    }

    @Test("Puppet manifest values")
    func values() {
        #expect(ResourceRenderer.puppetValue("a\\b'c") == #"'a\\b\'c'"#)
        #expect(ResourceRenderer.puppetValue(.int(-1)) == "-1")
        #expect(ResourceRenderer.puppetValue(.bool(false)) == "false")
        #expect(ResourceRenderer.puppetValue(.nil) == "undef")
        #expect(ResourceRenderer.puppetValue(.symbol("apt")) == "'apt'")
        #expect(ResourceRenderer.puppetValue(.hash(RubyHash(stringKeys: ["k": .array([1, 2])]))) == "{'k' => [1, 2]}")
    }

    @Test("JSON: the grouped structure with variants, differing properties, failures")
    func json() throws {
        let value = ResourceRenderer.json(comparison: Self.comparison, results: [], noResponse: ["node5"])
        let parsed = try RubyValue(json: value.jsonString())
        #expect(parsed["differing"] == ["ip", "target", "host_aliases"])
        #expect(parsed["nodes"] == ["node1", "node2", "node3"])
        let variants = try #require(parsed["variants"]?.arrayValue)
        #expect(variants.count == 2)
        #expect(variants[1]["nodes"] == ["node3"])
        #expect(variants[1]["properties"]?["host_aliases"] == ["vm.example.com", "it's"])
        #expect(parsed["no_response"] == ["node5"])
        let list = ResourceRenderer.json(summaries: [ResourceSummary(title: "vm", nodes: ["a"], variants: 1)], type: "host", answering: ["a"], results: [], noResponse: [])
        #expect(try RubyValue(json: list.jsonString())["resources"] == .array([.hash(RubyHash(stringKeys: ["title": "vm", "nodes": ["a"], "variants": 1]))]))
    }
}
