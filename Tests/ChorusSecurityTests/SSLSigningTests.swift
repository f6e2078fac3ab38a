import ChorusCore
import ChorusSecurity
import Foundation
import RubyMarshal
import Testing

/// Requests and replies Chorus signs, checked by `openssl dgst -sha1 -verify` (the
/// independent oracle) and by the provider on the other side.
@Suite("ssl signing with freshly generated keys", .enabled(if: Subprocess.openssl != nil))
struct SSLSigningTests {
    struct Keys {
        let directory: TemporaryDirectory
        var clientPrivate: String { directory.path("alice-private.pem") }
        var clientPublic: String { directory.path("clients/alice-public.pem") }
        var serverPrivate: String { directory.path("server-private.pem") }
        var serverPublic: String { directory.path("server-public.pem") }
        var clientDirectory: String { directory.path("clients") }

        init() throws {
            directory = try TemporaryDirectory()
            try FileManager.default.createDirectory(atPath: directory.path("clients"), withIntermediateDirectories: true)
            let openssl = try #require(Subprocess.openssl)
            for (privatePath, publicPath) in [(directory.path("alice-private.pem"), directory.path("clients/alice-public.pem")),
                (directory.path("server-private.pem"), directory.path("server-public.pem"))]
            {
                #expect(try Subprocess.run(openssl, ["genrsa", "-out", privatePath, "2048"]).status == 0)
                #expect(try Subprocess.run(openssl, ["rsa", "-in", privatePath, "-pubout", "-out", publicPath]).status == 0)
                chmod(privatePath, 0o600)
            }
        }

        func client(_ serializer: SSLSerializer) throws -> SSLSecurityProvider {
            SSLSecurityProvider(
                callerID: SSLSecurityProvider.callerID(publicKeyPath: clientPublic), serializer: serializer,
                signingKey: try SSLPrivateKey.load(path: clientPrivate).key, replyKey: try SSLPublicKey.load(path: serverPublic),
                clientKeys: nil)
        }

        func node(_ serializer: SSLSerializer) throws -> SSLSecurityProvider {
            SSLSecurityProvider(
                callerID: "cert=server-public", serializer: serializer, signingKey: try SSLPrivateKey.load(path: serverPrivate).key,
                replyKey: nil, clientKeys: SSLClientKeyDirectory(path: clientDirectory))
        }
    }

    static func request(callerID: String) -> Request {
        Request(
            requestID: "0123456789abcdef0123456789abcdef", senderID: "chorus-client", callerID: callerID, agent: "rpcutil",
            collective: "mcollective",
            filter: .hash(RubyHash(stringKeys: ["fact": [], "cf_class": [], "agent": ["rpcutil"], "identity": [], "compound": []])),
            ttl: 60, messageTime: 1_795_542_665,
            body: RPCRequestBody(agent: "rpcutil", action: "get_fact", caller: callerID, data: RubyHash(symbolKeys: ["fact": "role", "process_results": true])).rubyValue)
    }

    /// `openssl dgst -sha1 -verify key -signature sig body`.
    static func opensslVerifies(body: [UInt8], signature: [UInt8], publicKey: String, in directory: TemporaryDirectory) throws -> Bool {
        let bodyPath = directory.path("body.bin")
        let signaturePath = directory.path("signature.bin")
        try Data(body).write(to: URL(fileURLWithPath: bodyPath))
        try Data(signature).write(to: URL(fileURLWithPath: signaturePath))
        let result = try Subprocess.run(
            try #require(Subprocess.openssl), ["dgst", "-sha1", "-verify", publicKey, "-signature", signaturePath, bodyPath])
        return result.status == 0 && String(decoding: result.output, as: UTF8.self).contains("Verified OK")
    }

    static func decode(_ bytes: [UInt8], _ serializer: SSLSerializer) throws -> RubyHash {
        let value = serializer == .yaml ? try RubyYAML.load(bytes) : try RubyMarshal.decode(bytes)
        return try #require(value.asHash)
    }

    @Test("a signed request verifies with openssl, has MCollective's shape, and the node accepts it", arguments: [SSLSerializer.marshal, .yaml])
    func signedRequest(serializer: SSLSerializer) throws {
        let keys = try Keys()
        let client = try keys.client(serializer)
        #expect(client.callerID == "cert=alice-public")
        let request = Self.request(callerID: client.callerID)
        let bytes = try client.encodeRequest(request)

        let envelope = try Self.decode(bytes, serializer)
        #expect(envelope.keys == ["body", "senderid", "requestid", "filter", "collective", "agent", "callerid", "ttl", "msgtime", "hash"].map { RubyValue.symbol($0) })
        let body = try #require(envelope["body"]?.bytesValue)
        let hash = try #require(envelope["hash"]?.stringValue)
        // Base64.encode64: 60-character lines, each ending in a newline.
        let lines = hash.split(separator: "\n", omittingEmptySubsequences: false)
        #expect(hash.hasSuffix("\n"))
        #expect(lines.dropLast().dropLast().allSatisfy { $0.count == 60 })
        #expect(lines.count == 7)
        let signature = TestBase64.decode(hash)
        #expect(signature.count == 256)
        #expect(try Self.opensslVerifies(body: body, signature: signature, publicKey: keys.clientPublic, in: keys.directory))

        let secured = try Self.decode(body, serializer)
        #expect(secured.keys == [.symbol("ssl_msg"), .symbol("ssl_ttl"), .symbol("ssl_msgtime")])
        #expect(secured["ssl_ttl"] == 60)
        #expect(secured["ssl_msgtime"] == 1_795_542_665)

        let received = try keys.node(serializer).decodeRequest(bytes)
        #expect(received.callerID == "cert=alice-public")
        #expect(RPCRequestBody(received.body) == RPCRequestBody(request.body))
        #expect(received.ttl == 60)
    }

    @Test("a signed reply verifies with openssl and the client accepts it", arguments: [SSLSerializer.marshal, .yaml])
    func signedReply(serializer: SSLSerializer) throws {
        let keys = try Keys()
        let body = RubyValue.hash(RubyHash(symbolKeys: [
            "statuscode": 0, "statusmsg": "OK", "data": .hash(RubyHash(symbolKeys: ["fact": "role", "value": "web"])),
        ]))
        let reply = Reply(senderID: "node1", requestID: "0123456789abcdef0123456789abcdef", senderAgent: "rpcutil", messageTime: 1_795_542_665, body: body)
        let bytes = try keys.node(serializer).encodeReply(reply)
        let envelope = try Self.decode(bytes, serializer)
        #expect(envelope.keys == ["senderid", "requestid", "senderagent", "msgtime", "body", "hash"].map { RubyValue.symbol($0) })
        let signed = try #require(envelope["body"]?.bytesValue)
        let signature = TestBase64.decode(try #require(envelope["hash"]?.stringValue))
        #expect(try Self.opensslVerifies(body: signed, signature: signature, publicKey: keys.serverPublic, in: keys.directory))
        #expect(try keys.client(serializer).decodeReply(bytes) == reply)
    }

    @Test("captured requests re-encoded by Chorus equal MCollective's, signature aside", arguments: SSLFixtures.all.filter { !$0.isReply })
    func reencodesCapturedRequests(frame: CapturedFrame) throws {
        let yaml = frame.name.hasPrefix("rabbitmq_ssl_yaml")
        let serializer: SSLSerializer = yaml ? .yaml : .marshal
        let folder = yaml ? SSLFixtures.yamlFolder : SSLFixtures.marshalFolder
        let node = SSLSecurityProvider(
            callerID: "cert=server-public", serializer: serializer, signingKey: nil, replyKey: nil,
            clientKeys: SSLClientKeyDirectory(path: SSLFixtures.keys(folder).path))
        let request = try node.decodeRequest(frame.body)
        let ours = try Keys().client(serializer).encodeRequest(request)
        if yaml {
            // Everything before the signature block is the same text.
            let marker = Array(":hash: |\n".utf8)
            func prefix(_ bytes: [UInt8]) throws -> ArraySlice<UInt8> {
                let end = try #require((0...(bytes.count - marker.count)).first { bytes[$0..<($0 + marker.count)].elementsEqual(marker) })
                return bytes[..<end]
            }
            #expect(try prefix(ours) == prefix(frame.body))
        } else {
            var mine = try Self.decode(ours, .marshal)
            var theirs = try Self.decode(frame.body, .marshal)
            #expect(mine.keys == theirs.keys)
            mine.remove(.symbol("hash"))
            theirs.remove(.symbol("hash"))
            #expect(mine == theirs)
        }
    }

    @Test("a client key the node does not hold is an unknown caller")
    func unknownClient() throws {
        let keys = try Keys()
        let stranger = try Keys()
        let bytes = try stranger.client(.marshal).encodeRequest(Self.request(callerID: "cert=mallory"))
        #expect {
            try keys.node(.marshal).decodeRequest(bytes)
        } throws: { error in
            guard case SecurityError.unknownCaller = error else { return false }
            return true
        }
        // Same name, different key: the signature does not verify.
        let impostor = try stranger.client(.marshal).encodeRequest(Self.request(callerID: "cert=alice-public"))
        #expect(throws: SecurityError.invalidSignature) { try keys.node(.marshal).decodeRequest(impostor) }
    }
}
