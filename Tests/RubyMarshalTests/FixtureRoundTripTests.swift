import RubyMarshal
import Testing

@Suite("Captured MCollective frames")
struct FixtureRoundTripTests {
    @Test("the fixture set is present")
    func fixturesFound() {
        #expect(FixtureFrame.all.count >= 50)
    }

    @Test("envelopes decode and re-encode byte for byte", arguments: FixtureFrame.all)
    func envelopeRoundTrip(frame: FixtureFrame) throws {
        let document = try RubyMarshal.decodeDocument(frame.envelope)
        #expect(RubyMarshal.encode(document) == frame.envelope)
        // Without the recorded links only shared Strings differ; Floats link by value.
        let plain = RubyMarshal.encode(document.value)
        if document.links.isEmpty {
            #expect(plain == frame.envelope)
        }
        #expect(try RubyMarshal.decode(plain) == document.value)
    }

    @Test("inner bodies decode and re-encode byte for byte", arguments: FixtureFrame.all)
    func innerBodyRoundTrip(frame: FixtureFrame) throws {
        let envelope = try RubyMarshal.decode(frame.envelope)
        let body = try #require(envelope["body"]?.bytesValue)
        let document = try RubyMarshal.decodeDocument(body)
        #expect(RubyMarshal.encode(document) == body)
        // No inner body shares an object other than a Float, so plain encoding matches too.
        #expect(RubyMarshal.encode(document.value) == body)
    }

    @Test("envelope values print as Ruby's inspect did", arguments: FixtureFrame.all)
    func envelopeInspect(frame: FixtureFrame) throws {
        let envelope = try #require(try RubyMarshal.decode(frame.envelope).asHash)
        var lines: [String] = []
        for pair in envelope.pairs {
            if pair.key == .symbol("body") {
                let bytes = pair.value.bytesValue ?? []
                lines.append("\(pair.key.inspect) => <\(bytes.count) bytes serialized> \(pair.value.inspect.prefix(2000))")
            } else {
                lines.append("\(pair.key.inspect) => \(pair.value.inspect)  (\(pair.value.rubyClassName))")
            }
        }
        #expect(!frame.expectedEnvelopeLines.isEmpty)
        #expect(lines == frame.expectedEnvelopeLines)
    }

    @Test("inner bodies pretty-print as Ruby's pp did", arguments: FixtureFrame.all)
    func innerPrettyInspect(frame: FixtureFrame) throws {
        let envelope = try RubyMarshal.decode(frame.envelope)
        let inner = try RubyMarshal.decode(try #require(envelope["body"]?.bytesValue))
        #expect(!frame.expectedInnerLines.isEmpty)
        #expect(inner.prettyInspectLines() == frame.expectedInnerLines)
    }

    @Test("msgtime is the Bignum 6c 2b 07 51 cd 05 6b")
    func msgtimeBignum() throws {
        let frame = try #require(FixtureFrame.all.first { $0.name.hasSuffix("rabbitmq_psk/10_ping_discovery_request_SEND.frame") })
        let envelope = try RubyMarshal.decode(frame.envelope)
        #expect(envelope["msgtime"] == .int(1_795_542_353))
        let bignum: [UInt8] = [0x6C, 0x2B, 0x07, 0x51, 0xCD, 0x05, 0x6B]
        #expect(frame.envelope.firstRange(of: bignum) != nil)
        #expect(Array(RubyMarshal.encode(.int(1_795_542_353)).dropFirst(2)) == bignum)
    }

    @Test("a psk request envelope has the documented shape")
    func requestEnvelopeShape() throws {
        let frame = try #require(FixtureFrame.all.first { $0.name.hasSuffix("rabbitmq_psk/21_rpc_ping_directed_request_SEND.frame") })
        let document = try RubyMarshal.decodeDocument(frame.envelope)
        let envelope = try #require(document.value.asHash)
        #expect(envelope.keys == ["body", "senderid", "requestid", "filter", "collective", "agent", "callerid", "ttl", "msgtime", "hash"].map { RubyValue.symbol($0) })
        #expect(envelope["agent"] == .str("rpcutil"))
        #expect(envelope["requestid"]?.stringValue?.count == 32)
        if case .string(let requestID) = envelope["requestid"] { #expect(requestID.encoding == .usASCII) }
        if case .string(let body) = envelope["body"] { #expect(body.encoding == .binary) }
        #expect(envelope["filter"]?["agent"] == ["rpcutil"])
        // Ruby wrote :agent as a link to the filter's "rpcutil" String (object 11).
        #expect(document.links.map(\.object) == [11])
        let inner = try RubyMarshal.decode(try #require(envelope["body"]?.bytesValue))
        #expect(inner["agent"] == .str("rpcutil"))
        #expect(inner["action"]?.stringValue == "ping")
    }

    @Test("daemon_stats times share one 0.0 Float, as Ruby links equal flonums")
    func flonumLink() throws {
        let frame = try #require(FixtureFrame.all.first { $0.name.contains("36_inventory_app_daemon_stats_reply") })
        let envelope = try RubyMarshal.decode(frame.envelope)
        let body = try #require(envelope["body"]?.bytesValue)
        let document = try RubyMarshal.decodeDocument(body)
        let times = try #require(document.value["data"]?["times"])
        #expect(times["utime"] == .float(0.200653))
        #expect(times["cstime"] == .float(0.0))
        #expect(document.links.count == 1)
        #expect(RubyMarshal.encode(times) == [4, 8, 0x7B, 0x09, 0x3A, 0x0A] + Array("utime".utf8) + [0x66, 0x0D] + Array("0.200653".utf8)
            + [0x3A, 0x0A] + Array("stime".utf8) + [0x66, 0x0D] + Array("0.026405".utf8)
            + [0x3A, 0x0B] + Array("cutime".utf8) + [0x66, 0x06, 0x30]
            + [0x3A, 0x0B] + Array("cstime".utf8) + [0x40, 0x08])
    }
}
