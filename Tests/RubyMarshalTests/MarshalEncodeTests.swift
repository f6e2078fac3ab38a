import RubyMarshal
import Testing

/// Expected bytes are what Ruby 3.1's `Marshal.dump` writes (see marshal.c `w_object`).
@Suite("Marshal encoding")
struct MarshalEncodeTests {
    @Test("immediates")
    func immediates() {
        #expect(RubyMarshal.encode(.nil) == marshalled([0x30]))
        #expect(RubyMarshal.encode(true) == marshalled([0x54]))
        #expect(RubyMarshal.encode(false) == marshalled([0x46]))
    }

    @Test(
        "Fixnums use w_long's short and long forms",
        arguments: [
            (0, [0x00]), (1, [0x06]), (-1, [0xFA]), (122, [0x7F]), (123, [0x01, 0x7B]), (-123, [0x80]),
            (-124, [0xFF, 0x84]), (255, [0x01, 0xFF]), (256, [0x02, 0x00, 0x01]), (-256, [0xFF, 0x00]),
            (-257, [0xFE, 0xFF, 0xFE]), (65_536, [0x03, 0x00, 0x00, 0x01]),
            ((1 << 30) - 1, [0x04, 0xFF, 0xFF, 0xFF, 0x3F]), (-(1 << 30), [0xFC, 0x00, 0x00, 0x00, 0xC0]),
        ] as [(Int, [UInt8])])
    func fixnums(value: Int, long: [UInt8]) throws {
        let bytes = RubyMarshal.encode(.int(value))
        #expect(bytes == marshalled([0x69] + long))
        #expect(try RubyMarshal.decode(bytes) == .int(value))
    }

    @Test(
        "Integers beyond ±2^30 are Bignums of 16-bit words",
        arguments: [
            (1 << 30, [0x2B, 0x07, 0x00, 0x00, 0x00, 0x40]),
            (-(1 << 30) - 1, [0x2D, 0x07, 0x01, 0x00, 0x00, 0x40]),
            (1_795_542_353, [0x2B, 0x07, 0x51, 0xCD, 0x05, 0x6B]),
            (1 << 32, [0x2B, 0x08, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00]),
            (1 << 62, [0x2B, 0x09, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x40]),
            (Int.max, [0x2B, 0x09, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x7F]),
            (Int.min, [0x2D, 0x09, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x80]),
        ] as [(Int, [UInt8])])
    func bignums(value: Int, body: [UInt8]) throws {
        let bytes = RubyMarshal.encode(.int(value))
        #expect(bytes == marshalled([0x6C] + body))
        #expect(try RubyMarshal.decode(bytes) == .int(value))
    }

    @Test("Bignums beyond Int: 2^64+5 and its negation")
    func bigIntegers() throws {
        let magnitude: [UInt8] = [5, 0, 0, 0, 0, 0, 0, 0, 1]
        let positive = RubyMarshal.encode(.bigInt(negative: false, magnitude: magnitude))
        #expect(positive == marshalled([0x6C, 0x2B, 0x0A, 5, 0, 0, 0, 0, 0, 0, 0, 1, 0]))
        #expect(try RubyMarshal.decode(positive) == .bigInt(negative: false, magnitude: magnitude))
        let negative = RubyMarshal.encode(.bigInt(negative: true, magnitude: magnitude + [0, 0]))
        #expect(negative == marshalled([0x6C, 0x2D, 0x0A, 5, 0, 0, 0, 0, 0, 0, 0, 1, 0]))
        #expect(try RubyMarshal.decode(negative) == .bigInt(negative: true, magnitude: magnitude))
        // A .bigInt that fits is written as Ruby would write the Integer.
        #expect(RubyMarshal.encode(.bigInt(negative: true, magnitude: [1])) == marshalled([0x69, 0xFA]))
    }

    @Test(
        "Floats in marshal.c's w_float text",
        arguments: [
            (0.0, "0"), (-0.0, "-0"), (1.0, "1"), (1.5, "1.5"), (100.0, "1e2"), (123.0, "123"),
            (0.200653, "0.200653"), (0.0001, "0.0001"), (0.00001, "1e-5"),
            (1.0e20, "1e20"), (-2.5e-10, "-2.5e-10"), (12_345_678.9, "12345678.9"),
            (1.7976931348623157e308, "1.7976931348623157e308"), (Double.leastNonzeroMagnitude, "5e-324"),
            (Double.infinity, "inf"), (-Double.infinity, "-inf"), (Double.nan, "nan"),
        ] as [(Double, String)])
    func floats(value: Double, text: String) throws {
        let bytes = RubyMarshal.encode(.float(value))
        #expect(bytes == marshalled([0x66, UInt8(text.utf8.count + 5)] + ascii(text)))
        let decoded = try RubyMarshal.decode(bytes)
        if value.isNaN {
            #expect(decoded.doubleValue?.isNaN == true)
        } else {
            #expect(decoded == .float(value))
            #expect(decoded.doubleValue?.sign == value.sign)
        }
    }

    @Test("equal flonums are linked, heap Floats are not")
    func flonumLinks() {
        // [0.0, 0.0]: array is object 0, the Float object 1.
        #expect(RubyMarshal.encode([0.0, 0.0]) == marshalled([0x5B, 0x07, 0x66, 0x06, 0x30, 0x40, 0x06]))
        #expect(RubyMarshal.encode([1.5, 2.5, 1.5]) == marshalled([0x5B, 0x08, 0x66, 0x08] + ascii("1.5") + [0x66, 0x08] + ascii("2.5") + [0x40, 0x06]))
        // -0.0, 1e300 and NaN live on the heap: each is its own object.
        #expect(RubyMarshal.encode([-0.0, -0.0]) == marshalled([0x5B, 0x07, 0x66, 0x07] + ascii("-0") + [0x66, 0x07] + ascii("-0")))
        #expect(RubyMarshal.encode([1e300, 1e300]) == marshalled([0x5B, 0x07, 0x66, 0x0A] + ascii("1e300") + [0x66, 0x0A] + ascii("1e300")))
        // A Bignum takes an object number too: the Float after it is object 2.
        #expect(RubyMarshal.encode([.int(1 << 40), 0.5, 0.5]) == marshalled([0x5B, 0x08, 0x6C, 0x2B, 0x08, 0, 0, 0, 0, 0, 1, 0x66, 0x08] + ascii("0.5") + [0x40, 0x07]))
    }

    @Test("Strings carry their encoding as Ruby writes it")
    func strings() {
        #expect(RubyMarshal.encode(.str("abc")) == marshalled([0x49, 0x22, 0x08] + ascii("abc") + [0x06, 0x3A, 0x06, 0x45, 0x54]))
        #expect(RubyMarshal.encode(.ascii("abc")) == marshalled([0x49, 0x22, 0x08] + ascii("abc") + [0x06, 0x3A, 0x06, 0x45, 0x46]))
        #expect(RubyMarshal.encode(.binary([0, 0xFF])) == marshalled([0x22, 0x07, 0x00, 0xFF]))
        #expect(RubyMarshal.encode(.str("")) == marshalled([0x49, 0x22, 0x00, 0x06, 0x3A, 0x06, 0x45, 0x54]))
        // The second String links the :E symbol.
        #expect(RubyMarshal.encode(["a", "b"]) == marshalled([0x5B, 0x07, 0x49, 0x22, 0x06, 0x61, 0x06, 0x3A, 0x06, 0x45, 0x54, 0x49, 0x22, 0x06, 0x62, 0x06, 0x3B, 0x00, 0x54]))
    }

    @Test("named encodings write the name once, then link it")
    func namedEncoding() throws {
        let latin = RubyValue.string(RubyString(bytes: [0xE9], encoding: .named("ISO-8859-1")))
        let bytes = RubyMarshal.encode([latin, latin])
        let first: [UInt8] = [0x49, 0x22, 0x06, 0xE9, 0x06, 0x3A, 0x0D] + ascii("encoding") + [0x22, 0x0F] + ascii("ISO-8859-1")
        // array 0, first string 1, its encoding name 2, second string 3, then a link to 2.
        let second: [UInt8] = [0x49, 0x22, 0x06, 0xE9, 0x06, 0x3B, 0x00, 0x40, 0x07]
        #expect(bytes == marshalled([0x5B, 0x07] + first + second))
        let pair: RubyValue = [latin, latin]
        #expect(try RubyMarshal.decode(bytes) == pair)
        // A String named UTF-8, US-ASCII or BINARY is written as Ruby writes those encodings.
        #expect(RubyMarshal.encode(.string(RubyString(bytes: [0x61], encoding: .named("utf-8")))) == RubyMarshal.encode(.str("a")))
        #expect(RubyMarshal.encode(.string(RubyString(bytes: [0x61], encoding: .named("US-ASCII")))) == RubyMarshal.encode(.ascii("a")))
        #expect(RubyMarshal.encode(.string(RubyString(bytes: [0x61], encoding: .named("ASCII-8BIT")))) == RubyMarshal.encode(.binary([0x61])))
    }

    @Test("Symbols are written once, then as links; non-ASCII ones carry E")
    func symbols() throws {
        #expect(RubyMarshal.encode([.symbol("a"), .symbol("b"), .symbol("a")]) == marshalled([0x5B, 0x08, 0x3A, 0x06, 0x61, 0x3A, 0x06, 0x62, 0x3B, 0x00]))
        let accented = RubyMarshal.encode(.symbol("é"))
        #expect(accented == marshalled([0x49, 0x3A, 0x07, 0xC3, 0xA9, 0x06, 0x3A, 0x06, 0x45, 0x54]))
        #expect(try RubyMarshal.decode(accented) == .symbol("é"))
    }

    @Test("Hashes and arrays")
    func containers() {
        #expect(RubyMarshal.encode(.hash(RubyHash())) == marshalled([0x7B, 0x00]))
        #expect(RubyMarshal.encode([]) == marshalled([0x5B, 0x00]))
        let hash = RubyValue.hash(RubyHash(symbolKeys: ["pong": 1]))
        #expect(RubyMarshal.encode(hash) == marshalled([0x7B, 0x06, 0x3A, 0x09] + ascii("pong") + [0x69, 0x06]))
    }

    @Test("Regexps: US-ASCII source gets E false, others E true, /n none")
    func regexps() throws {
        let web = RubyMarshal.encode(.regexp(pattern: "^w", options: 0))
        #expect(web == marshalled([0x49, 0x2F, 0x07] + ascii("^w") + [0x00, 0x06, 0x3A, 0x06, 0x45, 0x46]))
        let caseless = RubyMarshal.encode(.regexp(pattern: "é", options: 1))
        #expect(caseless == marshalled([0x49, 0x2F, 0x07, 0xC3, 0xA9, 0x01, 0x06, 0x3A, 0x06, 0x45, 0x54]))
        #expect(try RubyMarshal.decode(caseless) == .regexp(pattern: "é", options: 1))
        #expect(RubyMarshal.encode(.regexp(pattern: "é", options: 32)) == marshalled([0x2F, 0x07, 0xC3, 0xA9, 0x20]))
    }

    @Test("encode(into:) appends a whole document")
    func encodeInto() {
        var buffer: [UInt8] = [0xAA]
        RubyMarshal.encode(.int(1), into: &buffer)
        RubyMarshal.encode(.nil, into: &buffer)
        #expect(buffer == [0xAA, 4, 8, 0x69, 0x06, 4, 8, 0x30])
    }

    @Test("document links are written back as object links")
    func documentLinks() throws {
        let shared = RubyValue.str("rpcutil")
        let value: RubyValue = .hash(RubyHash(symbolKeys: ["agents": [shared], "agent": shared]))
        let plain = RubyMarshal.encode(value)
        // Node 0 hash, 1 :agents, 2 array, 3 "rpcutil", 4 :agent, 5 value; objects: hash 0, array 1, string 2.
        let linked = RubyMarshal.encode(MarshalDocument(value: value, links: [.init(node: 5, object: 2)]))
        #expect(linked.count < plain.count)
        #expect(Array(linked.suffix(2)) == [0x40, 0x07])
        let document = try RubyMarshal.decodeDocument(linked)
        #expect(document.value == value)
        #expect(document.links == [.init(node: 5, object: 2)])
        // A link to an object not yet written is ignored rather than producing a bad document.
        #expect(RubyMarshal.encode(MarshalDocument(value: value, links: [.init(node: 3, object: 9)])) == plain)
    }
}
