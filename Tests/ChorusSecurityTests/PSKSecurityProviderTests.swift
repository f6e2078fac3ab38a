import ChorusCore
import ChorusSecurity
import RubyMarshal
import Testing

@Suite("psk security provider against MCollective's captured frames")
struct PSKSecurityProviderTests {
    static let provider = try! PSKSecurityProvider(psk: "s3cr3t", callerID: "uid=0")
    static let requests = CapturedFrame.psk.filter { !$0.isReply }
    static let replies = CapturedFrame.psk.filter(\.isReply)

    @Test("the fixtures hold requests and replies")
    func fixturesPresent() {
        #expect(Self.requests.count >= 20)
        #expect(Self.replies.count >= 8)
    }

    @Test("MD5 over body + key, as psk.rb computes it (oracle §5.7)")
    func digest() {
        #expect(Self.provider.digest(RubyMarshal.encode(.str("ping"))) == "c22b1d33f362c57d3d47be7885591fb0")
        #expect(Self.provider.digest(RubyMarshal.encode(.str("pong"))) == "a1b209b42e1eb4df3e7ba2997d23f672")
    }

    @Test("every captured request verifies and decodes", arguments: requests)
    func decodesRequest(frame: CapturedFrame) throws {
        let request = try Self.provider.decodeRequest(frame.body)
        #expect(request.requestID.count == 32)
        #expect(request.callerID == "uid=0")
        #expect(request.collective == "mcollective")
        #expect(request.ttl == 60)
        #expect(request.messageTime > 1_795_000_000)
        if request.agent == "discovery" {
            #expect(request.body == .str("ping"))
        } else {
            let body = try #require(RPCRequestBody(request.body))
            #expect(body.agent == request.agent)
            #expect(!body.action.isEmpty)
        }
    }

    @Test("every captured reply verifies, decodes, and re-encodes to the same bytes", arguments: replies)
    func replyRoundTrip(frame: CapturedFrame) throws {
        let reply = try Self.provider.decodeReply(frame.body)
        #expect(reply.senderID.hasPrefix("node"))
        // Byte compatibility: the same reply, encoded by Chorus, is what mcollectived sent.
        #expect(try Self.provider.encodeReply(reply) == frame.body)
    }

    @Test("a request Chorus encodes carries MCollective's envelope: keys, order, types, and a hash over :body", arguments: requests)
    func requestReencodes(frame: CapturedFrame) throws {
        let request = try Self.provider.decodeRequest(frame.body)
        let ours = try Self.provider.encodeRequest(request)
        guard case .hash(let mine) = try RubyMarshal.decode(ours), case .hash(let theirs) = try RubyMarshal.decode(frame.body) else {
            Issue.record("not hashes")
            return
        }
        #expect(mine.keys == theirs.keys)
        #expect(mine == theirs, "the same values with the same string encodings")
        #expect(try Self.provider.decodeRequest(ours) == request)
    }

    @Test("a wrong key, a tampered body, or a missing hash is rejected")
    func rejections() throws {
        let frame = try #require(Self.requests.first)
        let wrong = try PSKSecurityProvider(psk: "not-the-key", callerID: "uid=0")
        #expect(throws: SecurityError.invalidSignature) { try wrong.decodeRequest(frame.body) }

        var request = try Self.provider.decodeRequest(frame.body)
        request.body = .str("tampered")
        guard case .hash(var envelope) = try RubyMarshal.decode(try Self.provider.encodeRequest(request)) else { return }
        guard case .hash(let original) = try RubyMarshal.decode(frame.body) else { return }
        envelope.set(original["hash"]!, forSymbol: "hash")
        #expect(throws: SecurityError.invalidSignature) { try Self.provider.decodeRequest(RubyMarshal.encode(.hash(envelope))) }

        envelope.remove(.symbol("hash"))
        #expect(throws: SecurityError.self) { try Self.provider.decodeRequest(RubyMarshal.encode(.hash(envelope))) }
    }

    @Test("garbage, truncated Marshal and non-envelopes are typed errors")
    func garbage() throws {
        let frame = try #require(Self.requests.first)
        for bytes in [[], [0x04], Array(frame.body.prefix(40)), Array("hello".utf8), RubyMarshal.encode(.array([1, 2]))] as [[UInt8]] {
            #expect(throws: SecurityError.self) { try Self.provider.decodeRequest(bytes) }
            #expect(throws: SecurityError.self) { try Self.provider.decodeReply(bytes) }
        }
    }

    @Test("caller ids must look like kind=value (MCollective's valid_callerid?)")
    func callerIDs() throws {
        #expect(PSKSecurityProvider.isValidCallerID("uid=0"))
        #expect(PSKSecurityProvider.isValidCallerID("cert=mco-client.example"))
        #expect(!PSKSecurityProvider.isValidCallerID("uid="))
        #expect(!PSKSecurityProvider.isValidCallerID("uid=0; rm -rf /"))
        #expect(!PSKSecurityProvider.isValidCallerID("nobody"))
        var request = try Self.provider.decodeRequest(try #require(Self.requests.first).body)
        request.callerID = "bad id"
        #expect(throws: SecurityError.invalidCallerID("bad id")) { try Self.provider.decodeRequest(try Self.provider.encodeRequest(request)) }
    }

    @Test("an empty key is refused with advice")
    func emptyKey() {
        #expect(throws: SecurityError.self) { try PSKSecurityProvider(psk: "", callerID: "uid=0") }
    }

    @Test("TTL: older than ttl is expired, as MsgTTLExpired")
    func ttl() throws {
        let request = try Self.provider.decodeRequest(try #require(Self.requests.first).body)
        #expect(!request.isExpired(now: request.messageTime + 60))
        #expect(request.isExpired(now: request.messageTime + 61))
    }
}
