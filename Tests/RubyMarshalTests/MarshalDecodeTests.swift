import RubyMarshal
import Testing

@Suite("Marshal decoding")
struct MarshalDecodeTests {
    @Test("w_long forms Ruby never writes still decode (up to four bytes)")
    func longForms() throws {
        #expect(try RubyMarshal.decode(marshalled([0x69, 0x01, 0x05])) == .int(5))
        #expect(try RubyMarshal.decode(marshalled([0x69, 0x04, 0xFF, 0xFF, 0xFF, 0x7F])) == .int(Int(Int32.max)))
        #expect(try RubyMarshal.decode(marshalled([0x69, 0x04, 0x00, 0x00, 0x00, 0x80])) == .int(1 << 31))
        #expect(try RubyMarshal.decode(marshalled([0x69, 0xFC, 0x00, 0x00, 0x00, 0x80])) == .int(Int(Int32.min)))
        #expect(try RubyMarshal.decode(marshalled([0x69, 0xFF, 0x00])) == .int(-256))
    }

    @Test("Bignums normalise: a small one becomes .int, zero-padding is dropped")
    func bignumNormalisation() throws {
        #expect(try RubyMarshal.decode(marshalled([0x6C, 0x2B, 0x06, 0x05, 0x00])) == .int(5))
        #expect(try RubyMarshal.decode(marshalled([0x6C, 0x2D, 0x07, 0x05, 0x00, 0x00, 0x00])) == .int(-5))
        #expect(try RubyMarshal.decode(marshalled([0x6C, 0x2D, 0x06, 0x00, 0x00])) == .int(0))
        let words: [UInt8] = [0x6C, 0x2B, 0x0B, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0]
        let wide = try RubyMarshal.decode(marshalled(words))
        #expect(wide == .bigInt(negative: false, magnitude: [0, 0, 0, 0, 0, 0, 0, 0, 1]))
    }

    @Test("Float texts Ruby has written over the years", arguments: [
        ("1.0e+20", 1.0e20), ("1e20", 1.0e20), ("0", 0.0), ("-0", -0.0), ("0.200653", 0.200653), ("inf", Double.infinity),
        ("-inf", -Double.infinity), ("1.5\u{0}\u{1}\u{2}", 1.5),
    ] as [(String, Double)])
    func floatTexts(text: String, value: Double) throws {
        let decoded = try RubyMarshal.decode(marshalled([0x66, UInt8(text.utf8.count + 5)] + ascii(text)))
        #expect(decoded == .float(value))
        #expect(decoded.doubleValue?.sign == value.sign)
    }

    @Test("nan decodes to NaN")
    func nan() throws {
        #expect(try RubyMarshal.decode(marshalled([0x66, 0x08] + ascii("nan"))).doubleValue?.isNaN == true)
    }

    @Test("String encodings from the ivar wrapper")
    func stringEncodings() throws {
        #expect(try RubyMarshal.decode(marshalled([0x22, 0x06, 0x61])) == .binary([0x61]))
        #expect(try RubyMarshal.decode(marshalled([0x49, 0x22, 0x06, 0x61, 0x06, 0x3A, 0x06, 0x45, 0x54])) == .str("a"))
        #expect(try RubyMarshal.decode(marshalled([0x49, 0x22, 0x06, 0x61, 0x06, 0x3A, 0x06, 0x45, 0x46])) == .ascii("a"))
        let prefix: [UInt8] = [0x49, 0x22, 0x06, 0x61, 0x06, 0x3A, 0x0D]
        let named = marshalled(prefix + ascii("encoding") + [0x22, 0x0E] + ascii("Shift_JIS"))
        #expect(try RubyMarshal.decode(named) == .string(RubyString(bytes: [0x61], encoding: .named("Shift_JIS"))))
        // Names Marshal spells as E, or leaves out, decode to those cases.
        let utf8Named = marshalled(prefix + ascii("encoding") + [0x22, 0x0A] + ascii("UTF-8"))
        #expect(try RubyMarshal.decode(utf8Named) == .str("a"))
        // Other instance variables are read and dropped.
        let head: [UInt8] = [0x49, 0x22, 0x06, 0x61, 0x07, 0x3A, 0x06, 0x45, 0x54, 0x3A, 0x09]
        let tail: [UInt8] = [0x5B, 0x06, 0x69, 0x06]
        let extra = marshalled(head + ascii("@foo") + tail)
        #expect(try RubyMarshal.decode(extra) == .str("a"))
    }

    @Test("Symbols, symbol links and links inside instance variables")
    func symbolTable() throws {
        // [:a, "x"(E), :E-link] — :E is symbol 1, so ;\x06 refers to it.
        let bytes = marshalled([0x5B, 0x08, 0x3A, 0x06, 0x61, 0x49, 0x22, 0x06, 0x78, 0x06, 0x3A, 0x06, 0x45, 0x54, 0x3B, 0x06])
        let expected: RubyValue = [.symbol("a"), .str("x"), .symbol("E")]
        #expect(try RubyMarshal.decode(bytes) == expected)
    }

    @Test("object links count every non-immediate object, Floats and Bignums included")
    func objectNumbering() throws {
        // [1.5, 2^40, "s", [], @1, @2, @3, @4]
        let start: [UInt8] = [0x5B, 0x0D, 0x66, 0x08]
        let rest: [UInt8] = [0x6C, 0x2B, 0x08, 0, 0, 0, 0, 0, 1, 0x22, 0x06, 0x73, 0x5B, 0x00, 0x40, 0x06, 0x40, 0x07, 0x40, 0x08, 0x40, 0x09]
        let bytes = marshalled(start + ascii("1.5") + rest)
        let document = try RubyMarshal.decodeDocument(bytes)
        let shared: [RubyValue] = [1.5, .int(1 << 40), .binary([0x73]), []]
        let expected = RubyValue.array(shared + shared)
        #expect(document.value == expected)
        #expect(document.links == [.init(node: 5, object: 1), .init(node: 6, object: 2), .init(node: 7, object: 3), .init(node: 8, object: 4)])
        #expect(RubyMarshal.encode(document) == bytes)
    }

    @Test("a Regexp in its ivar wrapper")
    func regexp() throws {
        let options: [UInt8] = [0x01, 0x06, 0x3A, 0x06, 0x45, 0x46]
        let bytes = marshalled([0x49, 0x2F, 0x07] + ascii("^w") + options)
        #expect(try RubyMarshal.decode(bytes) == .regexp(pattern: "^w", options: 1))
        #expect(try RubyMarshal.decode(marshalled([0x2F, 0x06, 0x78, 0x00])) == .regexp(pattern: "x", options: 0))
    }

    @Test("a Hash with a default drops the default; a repeated key keeps the last value in the first place")
    func hashes() throws {
        let withDefault = marshalled([0x7D, 0x06, 0x3A, 0x06, 0x61, 0x69, 0x06, 0x69, 0x07])
        let one = RubyValue.hash(RubyHash(symbolKeys: ["a": 1]))
        #expect(try RubyMarshal.decode(withDefault) == one)
        let repeated = marshalled([0x7B, 0x08, 0x3A, 0x06, 0x61, 0x69, 0x06, 0x3A, 0x06, 0x62, 0x69, 0x07, 0x3B, 0x00, 0x69, 0x08])
        let lastWins = RubyValue.hash(RubyHash(symbolKeys: ["a": 3, "b": 2]))
        #expect(try RubyMarshal.decode(repeated) == lastWins)
        // The same rule holds once a hash is large enough to be indexed.
        var many: [UInt8] = [0x7B, 0x01, 41]
        for index in 0..<40 { many += [0x69, UInt8(index + 5), 0x30] }
        many += [0x69, 0x05, 0x54]
        let large = try #require(try RubyMarshal.decode(marshalled(many)).asHash)
        #expect(large.count == 40)
        #expect(large.pairs.first == RubyHash.Pair(key: 0, value: true))
    }

    @Test("hash keyword flag K is dropped")
    func keywordHash() throws {
        let bytes = marshalled([0x49, 0x7B, 0x06, 0x3A, 0x06, 0x61, 0x69, 0x06, 0x06, 0x3A, 0x06, 0x4B, 0x54])
        let expected = RubyValue.hash(RubyHash(symbolKeys: ["a": 1]))
        #expect(try RubyMarshal.decode(bytes) == expected)
    }

    @Test("decodePrefix reports what it used; decode rejects trailing bytes")
    func prefix() throws {
        let bytes: [UInt8] = [4, 8, 0x69, 0x06, 0xEE, 0xEE]
        let result = try RubyMarshal.decodePrefix(bytes)
        let value = result.value
        let consumed = result.consumed
        #expect(value == .int(1))
        #expect(consumed == 4)
        #expect(marshalError { _ = try RubyMarshal.decode(bytes) } == .trailingBytes(offset: 4))
    }

    @Test("any Collection of bytes decodes: slices and non-contiguous sequences")
    func collections() throws {
        let bytes: [UInt8] = [0xFF, 4, 8, 0x69, 0x06]
        #expect(try RubyMarshal.decode(bytes[1...]) == .int(1))
        #expect(try RubyMarshal.decode(marshalled([0x69, 0x06]).reversed().reversed()) == .int(1))
    }

    @Test("unsupported types are named with their offset", arguments: [
        (UInt8(ascii: "o"), 2), (UInt8(ascii: "u"), 2), (UInt8(ascii: "U"), 2), (UInt8(ascii: "e"), 2),
        (UInt8(ascii: "c"), 2), (UInt8(ascii: "m"), 2), (UInt8(ascii: "d"), 2), (UInt8(ascii: "S"), 2),
        (UInt8(ascii: "C"), 2), (UInt8(ascii: "M"), 2), (0x00, 2),
    ] as [(UInt8, Int)])
    func unsupported(type: UInt8, offset: Int) {
        #expect(marshalError { _ = try RubyMarshal.decode(marshalled([type, 0x06, 0x61])) } == .unsupportedType(byte: type, offset: offset))
        // Inside an array, the offset points at the element.
        #expect(marshalError { _ = try RubyMarshal.decode(marshalled([0x5B, 0x06, type])) } == .unsupportedType(byte: type, offset: 4))
    }
}
