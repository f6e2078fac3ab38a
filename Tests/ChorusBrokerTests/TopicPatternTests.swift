import Testing

@testable import ChorusBroker

@Suite("AMQP topic patterns")
struct TopicPatternTests {
    /// (pattern, routing key, matches) as RabbitMQ's topic exchange decides.
    static let table: [(String, String, Bool)] = [
        // literals
        ("rpcutil", "rpcutil", true),
        ("rpcutil", "rpcutil2", false),
        ("rpcutil", "rpcuti", false),
        ("a.b", "a.b", true),
        ("a.b", "a.b.c", false),
        ("a.b.c", "a.b", false),
        ("", "", true),
        ("", "a", false),
        ("a*", "ab", false),
        ("a*", "a*", true),
        ("a#", "a#", true),
        // `*` is exactly one word, possibly empty
        ("*", "discovery", true),
        ("*", "", false),
        ("*", "a.b", false),
        ("a.*", "a.b", true),
        ("a.*", "a.", true),
        ("a.*", "a", false),
        ("*.b", "a.b", true),
        ("*.*", ".", true),
        ("*.b.*", "a.b.c", true),
        ("*.b.*", "a.x.c", false),
        // `#` is zero or more words
        ("#", "", true),
        ("#", "a", true),
        ("#", "a.b.c", true),
        ("a.#", "a", true),
        ("a.#", "a.b.c", true),
        ("a.#", "b.a", false),
        ("#.a", "a", true),
        ("#.a", "x.y.a", true),
        ("#.a", "x.y.a.b", false),
        ("a.#.b", "a.b", true),
        ("a.#.b", "a.x.y.b", true),
        ("a.#.b", "a.x.y.c", false),
        ("#.b.#", "b", true),
        ("#.b.#", "a.b.c", true),
        ("#.b.#", "a.c", false),
        ("#.#", "a.b", true),
        ("#.*", "", false),
        ("#.*", "a", true),
        ("*.#", "a.b.c", true),
        ("#.a.#.b.#", "x.a.y.b.z", true),
        ("#.a.#.b.#", "x.b.y.a.z", false),
        ("a.#.a", "a.a.a.a", true),
        ("a.#.a", "a", false),
    ]

    @Test("the RabbitMQ topic matching table", arguments: table.indices)
    func matchingTable(_ index: Int) {
        let (pattern, key, expected) = Self.table[index]
        #expect(TopicPattern(pattern).matches(key) == expected, "pattern '\(pattern)' against '\(key)'")
    }

    @Test("literal patterns are recognised, wildcards only as whole words")
    func literalness() {
        #expect(TopicPattern("mcollective.node1").isLiteral)
        #expect(TopicPattern("a*.b#").isLiteral)
        #expect(!TopicPattern("a.*").isLiteral)
        #expect(!TopicPattern("#").isLiteral)
    }

    @Test("long keys against many `#` words finish (no exponential backtracking)")
    func pathological() {
        let key = Array(repeating: "a", count: 2000).joined(separator: ".")
        let pattern = TopicPattern(Array(repeating: "#.a", count: 50).joined(separator: ".") + ".b")
        let clock = ContinuousClock()
        let elapsed = clock.measure { #expect(!pattern.matches(key)) }
        #expect(elapsed < .seconds(2))
        #expect(TopicPattern("#.a.#.a").matches(key))
    }
}
