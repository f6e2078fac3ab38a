import RubyMarshal
import Testing

/// Expected texts are Ruby 3.1's `inspect` and `pp` output.
@Suite("inspect and pretty_inspect")
struct InspectTests {
    @Test("scalars and containers")
    func basics() {
        #expect(RubyValue.hash(RubyHash(symbolKeys: ["pong": 1_795_542_545])).inspect == "{:pong=>1795542545}")
        #expect(RubyValue.array(["a", "b"]).inspect == #"["a", "b"]"#)
        #expect(RubyValue.nil.inspect == "nil")
        #expect(RubyValue.bool(true).inspect == "true")
        #expect(RubyValue.int(-42).inspect == "-42")
        #expect(RubyValue.hash(RubyHash()).inspect == "{}")
        #expect(RubyValue.array([]).inspect == "[]")
        let mixed = RubyValue.hash(RubyHash(pairs: [.init(key: .int(1), value: .nil), .init(key: "k", value: [.symbol("v")])]))
        #expect(mixed.inspect == #"{1=>nil, "k"=>[:v]}"#)
        #expect(mixed.description == mixed.inspect)
    }

    @Test("big integers print in full")
    func bigIntegers() {
        #expect(RubyValue.bigInt(negative: false, magnitude: [5, 0, 0, 0, 0, 0, 0, 0, 1]).inspect == "18446744073709551621")
        #expect(RubyValue.bigInt(negative: true, magnitude: [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1]).inspect == "-79228162514264337593543950336")
    }

    @Test(
        "Float#inspect", arguments: [
            (0.2, "0.2"), (0.200653, "0.200653"), (1.0e20, "1.0e+20"), (100.0, "100.0"), (1.0e16, "1.0e+16"),
            (1.0e15, "1000000000000000.0"), (0.0001, "0.0001"), (0.00001, "1.0e-05"), (1.5e-7, "1.5e-07"),
            (1.0e100, "1.0e+100"), (-0.0, "-0.0"), (0.0, "0.0"), (123.456, "123.456"), (-2.5, "-2.5"),
            (Double.infinity, "Infinity"), (-Double.infinity, "-Infinity"), (Double.nan, "NaN"),
        ] as [(Double, String)])
    func floats(value: Double, text: String) {
        #expect(RubyValue.float(value).inspect == text)
    }

    @Test("String#inspect escapes")
    func strings() {
        #expect(RubyValue.str("a\"b\\c\n\t\u{1B}#{x}#$y#@z#w").inspect == ##""a\"b\\c\n\t\e\#{x}\#$y\#@z#w""##)
        #expect(RubyValue.str("é😀\u{E000}").inspect == "\"é😀\u{E000}\"")
        #expect(RubyValue.str("\u{01}\u{7F}\u{2028}\u{0378}").inspect == #""\u0001\u007F\u2028\u0378""#)
        #expect(RubyValue.str("\u{10FFFF}").inspect == #""\u{10FFFF}""#)
        #expect(RubyValue.string(RubyString(bytes: [0x61, 0xFF, 0xE2, 0x82], encoding: .utf8)).inspect == #""a\xFF\xE2\x82""#)
        #expect(RubyValue.binary([0x00, 0xFF, 0x41, 0x07, 0x08, 0x0B, 0x0C, 0x0D]).inspect == #""\x00\xFFA\a\b\v\f\r""#)
        #expect(RubyValue.ascii("a\u{01}").inspect == #""a\x01""#)
        #expect(RubyString("é", encoding: .utf8).inspect == "\"é\"")
    }

    @Test(
        "Symbol#inspect quotes what is not a plain name", arguments: [
            ("foo", ":foo"), ("Foo", ":Foo"), ("foo?", ":foo?"), ("save!", ":save!"), ("name=", ":name="),
            ("[]", ":[]"), ("[]=", ":[]="), ("+", ":+"), ("<=>", ":<=>"), ("@iv", ":@iv"), ("@@cv", ":@@cv"),
            ("$gv", ":$gv"), ("$1", ":$1"), ("é", ":é"), ("_x1", ":_x1"),
            ("foo bar", #":"foo bar""#), ("9a", #":"9a""#), ("", #":"""#), ("foo?=", #":"foo?=""#),
            ("@9", #":"@9""#), ("a-b", #":"a-b""#), ("=", #":"=""#),
        ] as [(String, String)])
    func symbols(name: String, text: String) {
        #expect(RubyValue.symbol(name).inspect == text)
    }

    @Test("Regexp#inspect")
    func regexps() {
        #expect(RubyValue.regexp(pattern: "x", options: 1).inspect == "/x/i")
        #expect(RubyValue.regexp(pattern: "^w", options: 0).inspect == "/^w/")
        #expect(RubyValue.regexp(pattern: "a/b", options: 7).inspect == #"/a\/b/mix"#)
        #expect(RubyValue.regexp(pattern: #"a\/b"#, options: 0).inspect == #"/a\/b/"#)
        #expect(RubyValue.regexp(pattern: "x", options: 32).inspect == "/x/n")
    }

    static let facts = RubyValue.hash(
        RubyHash(stringKeys: ["osfamily": "Debian", "role": "web", "datacenter": "ams", "hostname": "node1", "cores": "4"]))

    @Test("pp breaks a hash that does not fit into one pair per line")
    func prettyHash() {
        #expect(Self.facts.prettyInspectLines() == [
            #"{"osfamily"=>"Debian","#, #" "role"=>"web","#, #" "datacenter"=>"ams","#, #" "hostname"=>"node1","#,
            #" "cores"=>"4"}"#,
        ])
        // mco's inventory lines it up after "Facts: " (rpc_inventory_node1.txt).
        let rendered = "             Facts: " + Self.facts.prettyInspect(indent: 20)
        #expect(rendered == """
                         Facts: {"osfamily"=>"Debian",
                                 "role"=>"web",
                                 "datacenter"=>"ams",
                                 "hostname"=>"node1",
                                 "cores"=>"4"}
            """)
    }

    @Test("pp keeps what fits on one line and honours the width")
    func prettyWidth() {
        let small = RubyValue.hash(RubyHash(symbolKeys: ["a": 1, "b": 2]))
        #expect(small.prettyInspectLines() == ["{:a=>1, :b=>2}"])
        #expect(small.prettyInspect(width: 10) == "{:a=>1,\n :b=>2}")
        let list = RubyValue.array((1...30).map { RubyValue.int(1000 + $0) })
        let lines = list.prettyInspectLines()
        #expect(lines.count == 30)
        #expect(lines.first == "[1001,")
        #expect(lines.last == " 1030]")
        #expect(RubyValue.nil.prettyInspectLines() == ["nil"])
    }

    @Test("pp breaks after => when the value does not fit beside its key")
    func prettyNested() {
        let value = RubyValue.hash(RubyHash(symbolKeys: [
            "description": .str(String(repeating: "x", count: 80)), "n": 1,
        ]))
        #expect(value.prettyInspectLines() == [
            "{:description=>", "  \"" + String(repeating: "x", count: 80) + "\",", " :n=>1}",
        ])
    }

    @Test("pp prints a multi-line String as a sum of lines")
    func prettyMultilineString() {
        #expect(RubyValue.str("a\nb").prettyInspectLines() == [#""a\n" + "b""#])
        #expect(RubyValue.str("a\n").prettyInspectLines() == [#""a\n""#])
        let long = RubyValue.str(String(repeating: "y", count: 50) + "\n" + String(repeating: "z", count: 50))
        #expect(long.prettyInspectLines() == [
            "\"" + String(repeating: "y", count: 50) + "\\n\" +", "\"" + String(repeating: "z", count: 50) + "\"",
        ])
    }
}
