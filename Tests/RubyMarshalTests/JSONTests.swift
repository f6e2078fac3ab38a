import RubyMarshal
import Testing

@Suite("JSON")
struct JSONTests {
    @Test("mco --json output of rpcutil get_fact (rpc_json.txt)")
    func mcoJSON() {
        func reply(_ sender: String, _ value: String) -> RubyValue {
            .hash(RubyHash(symbolKeys: [
                "agent": "rpcutil", "action": "get_fact", "sender": .str(sender), "statuscode": 0, "statusmsg": "OK",
                "data": .hash(RubyHash(symbolKeys: ["fact": "role", "value": .str(value)])),
            ]))
        }
        let replies: RubyValue = [reply("node3", "web"), reply("node1", "web"), reply("node2", "db")]
        #expect(replies.jsonString() == #"[{"agent":"rpcutil","action":"get_fact","sender":"node3","statuscode":0,"statusmsg":"OK","data":{"fact":"role","value":"web"}},{"agent":"rpcutil","action":"get_fact","sender":"node1","statuscode":0,"statusmsg":"OK","data":{"fact":"role","value":"web"}},{"agent":"rpcutil","action":"get_fact","sender":"node2","statuscode":0,"statusmsg":"OK","data":{"fact":"role","value":"db"}}]"#)
    }

    @Test("scalars as JSON.generate writes them")
    func scalars() {
        #expect(RubyValue.nil.jsonString() == "null")
        #expect(RubyValue.bool(false).jsonString() == "false")
        #expect(RubyValue.float(0.2).jsonString() == "0.2")
        #expect(RubyValue.float(1.0e20).jsonString() == "1.0e+20")
        #expect(RubyValue.float(3.0).jsonString() == "3.0")
        #expect(RubyValue.bigInt(negative: false, magnitude: [5, 0, 0, 0, 0, 0, 0, 0, 1]).jsonString() == "18446744073709551621")
        #expect(RubyValue.symbol("ok").jsonString() == #""ok""#)
        #expect(RubyValue.regexp(pattern: "^w", options: 0).jsonString() == #""(?-mix:^w)""#)
        #expect(RubyValue.regexp(pattern: "x", options: 1).jsonString() == #""(?i-mx:x)""#)
    }

    @Test("string escapes, UTF-8 kept, invalid bytes as \\u00XX")
    func strings() {
        #expect(RubyValue.str("a\"b\\c\n\r\t\u{08}\u{0C}\u{01}/é\u{7F}").jsonString() == "\"a\\\"b\\\\c\\n\\r\\t\\b\\f\\u0001/é\u{7F}\"")
        #expect(RubyValue.binary([0x61, 0xFF, 0xC3, 0xA9, 0xED, 0xA0, 0x80]).jsonString() == #""a\u00ffé\u00ed\u00a0\u0080""#)
    }

    @Test("hash keys are stringified with to_s")
    func keys() {
        let hash = RubyValue.hash(RubyHash(pairs: [
            .init(key: .symbol("s"), value: 1), .init(key: .int(2), value: 2), .init(key: .nil, value: 3),
            .init(key: [1, 2], value: 4), .init(key: .float(1.5), value: 5),
        ]))
        #expect(hash.jsonString() == #"{"s":1,"2":2,"":3,"[1, 2]":4,"1.5":5}"#)
    }

    @Test("pretty_generate layout, including json 2.6's empty containers")
    func pretty() {
        let value = RubyValue.hash(RubyHash(stringKeys: ["a": [1, 2], "b": .hash(RubyHash()), "c": []]))
        #expect(value.jsonString(pretty: true) == "{\n  \"a\": [\n    1,\n    2\n  ],\n  \"b\": {\n  },\n  \"c\": [\n\n  ]\n}")
        #expect(RubyValue.array([]).jsonString(pretty: true) == "[\n\n]")
        #expect(RubyValue.str("x").jsonString(pretty: true) == #""x""#)
    }

    @Test("parsing: objects, numbers, escapes")
    func parse() throws {
        let value = try RubyValue(json: #" {"a": [1, -2.5, 1e3, true, null], "b": "\u00e9\ud83d\ude00\n\/", "c": {}} "#)
        let expected = RubyValue.hash(RubyHash(stringKeys: [
            "a": [1, -2.5, 1000.0, true, .nil], "b": .str("é😀\n/"), "c": .hash(RubyHash()),
        ]))
        #expect(value == expected)
        #expect(try RubyValue(json: "18446744073709551621") == .bigInt(negative: false, magnitude: [5, 0, 0, 0, 0, 0, 0, 0, 1]))
        #expect(try RubyValue(json: "-9223372036854775808") == .int(Int.min))
        #expect(try RubyValue(json: "123456789012345678") == .int(123_456_789_012_345_678))
        #expect(try RubyValue(json: "-0") == .int(0))
        #expect(try RubyValue(json: "1.0") == .float(1.0))
        #expect(try RubyValue(json: #"{"k": 1, "j": 2, "k": 3}"#) == .hash(RubyHash(stringKeys: ["k": 3, "j": 2])))
        #expect(try RubyValue(jsonBytes: Array("[\"\\ud800\"]".utf8)) == ["\u{FFFD}"])
    }

    @Test("generate then parse round-trips plain data")
    func roundTrip() throws {
        let value = RubyValue.hash(RubyHash(stringKeys: [
            "list": ["x", 1, 2.5, .nil, false], "nested": .hash(RubyHash(stringKeys: ["q": "\"quoted\"\t"])),
        ]))
        #expect(try RubyValue(json: value.jsonString()) == value)
        #expect(try RubyValue(json: value.jsonString(pretty: true)) == value)
    }

    @Test(
        "malformed JSON is a typed error", arguments: [
            "", "[1,]", "{\"a\" 1}", "[1 2]", "01", "1.", "-", "\"abc", "\"a\u{01}\"", "[1] x", "{1: 2}", "nul",
            "\"\\x\"", "\"\\u12\"", "NaN", "[", "{\"a\":",
        ])
    func malformed(text: String) {
        #expect(throws: JSONParseError.self) { try RubyValue(json: text) }
    }

    @Test("nesting is limited")
    func nesting() throws {
        let deep = String(repeating: "[", count: 10_000) + String(repeating: "]", count: 10_000)
        #expect(throws: JSONParseError.self) { try RubyValue(json: deep) }
        let allowed = String(repeating: "[", count: 100) + String(repeating: "]", count: 100)
        #expect(try RubyValue(json: allowed).arrayValue?.count == 1)
        #expect(throws: JSONParseError.self) { try RubyValue(json: "[[1]]", maxNesting: 1) }
    }
}
