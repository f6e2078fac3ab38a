import ChorusSecurity
import Foundation
import RubyMarshal
import Testing

@Suite("Ruby YAML (Psych 4.0 / libyaml 0.2.5) writer and reader")
struct RubyYAMLTests {
    static let yamlFrames = SSLFixtures.yaml

    @Test("each captured YAML envelope, read and written again, is byte for byte what Ruby wrote", arguments: yamlFrames)
    func envelopeRoundTrip(frame: CapturedFrame) throws {
        let envelope = try RubyYAML.load(frame.body)
        #expect(try RubyYAML.dump(envelope) == frame.body)
        // The signed inner document too.
        let body = try #require(envelope["body"]?.bytesValue)
        #expect(try RubyYAML.dump(try RubyYAML.load(body)) == body)
    }

    @Test("the discovery request reads as MCollective's envelope: Symbol keys, typed scalars")
    func readsEnvelope() throws {
        let frame = try #require(Self.yamlFrames.first { $0.name.contains("10_ping_discovery_request") })
        let envelope = try #require(try RubyYAML.load(frame.body).asHash)
        #expect(envelope.keys == ["body", "senderid", "requestid", "filter", "collective", "agent", "callerid", "ttl", "msgtime", "hash"].map { RubyValue.symbol($0) })
        #expect(envelope["ttl"] == 60)
        #expect(envelope["msgtime"] == 1_795_542_658)
        #expect(envelope["filter"] == .hash(RubyHash(stringKeys: ["fact": [], "cf_class": [], "agent": [], "identity": [], "compound": []])))
        #expect(envelope["body"] == .str("---\n:ssl_msg: ping\n:ssl_ttl: 60\n:ssl_msgtime: 1795542658\n"))
        let hash = try #require(envelope["hash"]?.stringValue)
        #expect(hash.hasPrefix("K1I9C/f+f1kFIP6V0D3q66cK37Stun7o5ClQFEWKu3hy24OV+ApMkbfB5fqP\n"))
    }

    @Test("the fact filter keeps its Symbol-keyed entries and quoted values")
    func readsFactFilter() throws {
        let frame = try #require(Self.yamlFrames.first { $0.name.contains("26_fact_regex") })
        let envelope = try RubyYAML.load(frame.body)
        let fact = try #require(envelope["filter"]?["fact"]?.arrayValue?.first)
        #expect(fact == .hash(RubyHash(symbolKeys: ["fact": "role", "value": "/^w/", "operator": "=~"])))
    }

    @Test("what Psych writes for the values MCollective sends")
    func dumpShapes() throws {
        func dump(_ value: RubyValue) throws -> String { String(decoding: try RubyYAML.dump(value), as: UTF8.self) }
        #expect(try dump("pong") == "--- pong\n")
        #expect(try dump("--- pong\n") == "--- \"--- pong\\n\"\n")
        #expect(try dump(.hash(RubyHash(symbolKeys: ["fact": .nil, "value": "2"]))) == "---\n:fact:\n:value: '2'\n")
        #expect(try dump(.array([.nil, "x", [], .hash(RubyHash())])) == "---\n-\n- x\n- []\n- {}\n")
        #expect(try dump(.regexp(pattern: "^w", options: 1)) == "--- !ruby/regexp /^w/i\n")
        #expect(try dump(.binary([0xFF, 0x00])) == "--- !binary |-\n  /wA=\n")
        #expect(try dump(.symbol("a b")) == "--- :a b\n")
        #expect(try dump(.float(1e20)) == "--- 1.0e+20\n")
        #expect(try dump(.array(["a\nb", "a\n\n", " x", "012", "true", "<<", "y", "é", "a\tb"]))
            == "---\n- |-\n  a\n  b\n- \"a\\n\\n\"\n- \" x\"\n- '012'\n- 'true'\n- !!str '<<'\n- \"y\"\n- é\n- \"a\\tb\"\n")
        #expect(try dump("a\n\n\n") == "--- |+\n  a\n\n\n...\n")
        let long = String(repeating: "word ", count: 20) + "end"
        #expect(try dump(.hash(RubyHash(symbolKeys: ["statusmsg": .str(long)])))
            == "---\n:statusmsg: word word word word word word word word word word word word word word\n  word word word word word word end\n")
    }

    @Test("plain scalars are typed as Psych types them")
    func loadScalars() throws {
        func load(_ text: String) throws -> RubyValue { try RubyYAML.load(Array("--- \(text)\n".utf8)) }
        #expect(try load("12") == 12)
        #expect(try load("-0x1F") == -31)
        #expect(try load("017") == 15)
        #expect(try load("0b101") == 5)
        #expect(try load("1_000") == 1000)
        #expect(try load("1:30") == 5400)
        #expect(try load("1.5") == 1.5)
        #expect(try load(".5") == 0.5)
        #expect(try load("1e5") == "1e5")
        #expect(try load("yes") == true)
        #expect(try load("Off") == false)
        #expect(try load("~") == .nil)
        #expect(try load("") == .nil)
        #expect(try load(":sym") == .symbol("sym"))
        #expect(try load(":\"a b\"") == .symbol("a b"))
        #expect(try load("'12'") == "12")
        #expect(try load("\":sym\"") == ":sym")
        #expect(try load("!ruby/sym foo") == .symbol("foo"))
        #expect(try load("!ruby/regexp /a\\/b/mix") == .regexp(pattern: "a\\/b", options: 7))
        #expect(try load("123456789012345678901234567890") == .bigInt(negative: false, magnitude: [0xD2, 0x0A, 0x3F, 0x4E, 0xEE, 0xE0, 0x73, 0xC3, 0xF6, 0x0F, 0xE9, 0x8E, 0x01]))
        #expect(try load(".inf") == .float(.infinity))
    }

    @Test("what safe_load refuses, and malformed YAML, are typed errors")
    func loadErrors() throws {
        let cases = [
            "--- &a [1, *a]\n", "--- 2024-01-01\n", "--- 2024-01-01 10:00:00\n", "--- !ruby/object:Foo {}\n", "--- [\n",
            "--- {a: 1, a: 2}\n", "--- !ruby/range 1..2\n", "",
        ]
        for text in cases {
            #expect(throws: RubyYAMLError.self, "\(text)") { try RubyYAML.load(Array(text.utf8)) }
        }
        #expect(throws: RubyYAMLError.self) { try RubyYAML.load([0x2D, 0x2D, 0x2D, 0x20, 0xFF]) }
    }

    @Test("deep nesting is refused without exhausting the stack")
    func deepNesting() throws {
        for depth in [66, 999, 1001, 100_000] {
            let flow = String(repeating: "[", count: depth) + String(repeating: "]", count: depth)
            #expect(throws: RubyYAMLError.self) { try RubyYAML.load(Array(flow.utf8)) }
            let block = (0..<min(depth, 2000)).map { String(repeating: " ", count: $0) + "- " }.joined(separator: "\n") + "x\n"
            #expect(throws: RubyYAMLError.self) { try RubyYAML.load(Array(block.utf8)) }
        }
        let nested = (0..<600).reduce(RubyValue.nil) { inner, _ in .array([inner]) }
        #expect(throws: RubyYAMLError.tooDeep) { try RubyYAML.dump(nested) }
        let shallow = (0..<60).reduce(RubyValue.int(1)) { inner, _ in .array([inner]) }
        #expect(try RubyYAML.load(try RubyYAML.dump(shallow)) == shallow)
    }
}
