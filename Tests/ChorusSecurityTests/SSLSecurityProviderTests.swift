import ChorusCore
import ChorusSecurity
import Foundation
import RubyMarshal
import Testing

@Suite("ssl security provider against MCollective's captured frames")
struct SSLSecurityProviderTests {
    /// A node that trusts the captured client key, for the given capture.
    static func node(_ folder: URL, _ serializer: SSLSerializer) -> SSLSecurityProvider {
        SSLSecurityProvider(
            callerID: "cert=server-public", serializer: serializer, signingKey: nil, replyKey: nil,
            clientKeys: SSLClientKeyDirectory(path: SSLFixtures.keys(folder).path))
    }

    /// A client that trusts the captured server key.
    static func client(_ folder: URL, _ serializer: SSLSerializer) throws -> SSLSecurityProvider {
        SSLSecurityProvider(
            callerID: "cert=mcoclient", serializer: serializer, signingKey: nil,
            replyKey: try SSLPublicKey.load(path: SSLFixtures.serverKey(folder)), clientKeys: nil)
    }

    static func setting(_ frame: CapturedFrame) -> (folder: URL, serializer: SSLSerializer) {
        frame.name.hasPrefix("rabbitmq_ssl_yaml") ? (SSLFixtures.yamlFolder, .yaml) : (SSLFixtures.marshalFolder, .marshal)
    }

    static let requests = SSLFixtures.all.filter { !$0.isReply }
    static let replies = SSLFixtures.all.filter(\.isReply)

    @Test("the fixtures hold ssl requests and replies for both serializers")
    func fixturesPresent() {
        #expect(SSLFixtures.marshal.count == 6)
        #expect(SSLFixtures.yaml.count == 10)
        #expect(Self.requests.count == 8)
        #expect(Self.replies.count == 8)
    }

    @Test("every captured request verifies with pubkeys/mcoclient.pem and decodes", arguments: requests)
    func request(frame: CapturedFrame) throws {
        let (folder, serializer) = Self.setting(frame)
        let request = try Self.node(folder, serializer).decodeRequest(frame.body)
        #expect(request.callerID == "cert=mcoclient")
        #expect(request.senderID == "mcoclient")
        #expect(request.collective == "mcollective")
        #expect(request.ttl == 60)
        #expect(request.requestID.count == 32)
        if request.agent == "discovery" {
            #expect(request.body == .str("ping"))
        } else {
            let body = try #require(RPCRequestBody(request.body))
            #expect(body.agent == "rpcutil")
            #expect(body.caller == "cert=mcoclient")
            #expect(["ping", "get_fact"].contains(body.action))
        }
    }

    @Test("the get_fact request decodes to MCollective's RPC body")
    func getFactBody() throws {
        for (folder, serializer) in [(SSLFixtures.marshalFolder, SSLSerializer.marshal), (SSLFixtures.yamlFolder, .yaml)] {
            let frame = try #require(SSLFixtures.frames(folder).first { $0.name.contains("22_rpc_get_fact_I_request") })
            let request = try Self.node(folder, serializer).decodeRequest(frame.body)
            let body = try #require(RPCRequestBody(request.body))
            #expect(body.agent == "rpcutil")
            #expect(body.action == "get_fact")
            #expect(body.caller == "cert=mcoclient")
            #expect(body.data == RubyHash(symbolKeys: ["fact": "role", "process_results": true]))
            #expect(request.body.asHash?.keys == [.symbol("agent"), .symbol("action"), .symbol("caller"), .symbol("data")])
            #expect(request.filter["agent"] == .array(["rpcutil"]))
        }
    }

    @Test("every captured reply verifies with pubkeys/server-public.pem and decodes", arguments: replies)
    func reply(frame: CapturedFrame) throws {
        let (folder, serializer) = Self.setting(frame)
        let reply = try Self.client(folder, serializer).decodeReply(frame.body)
        #expect(reply.senderID.hasPrefix("node"))
        if reply.senderAgent == "discovery" {
            #expect(reply.body == .str("pong"))
        } else {
            #expect(reply.body["statuscode"]?.intValue != nil)
            #expect(reply.body["data"]?.asHash != nil)
        }
    }

    @Test("the ActionPolicy denial reply keeps its nil outputs")
    func deniedReply() throws {
        let frame = try #require(SSLFixtures.yaml.first { $0.name.contains("30_actionpolicy") })
        let reply = try Self.client(SSLFixtures.yamlFolder, .yaml).decodeReply(frame.body)
        #expect(reply.body["statuscode"] == 1)
        #expect(reply.body["statusmsg"] == "You are not authorized to call this agent or action.")
        #expect(reply.body["data"] == .hash(RubyHash(symbolKeys: ["fact": .nil, "value": .nil])))
    }

    // MARK: - Rejections

    /// The captured get_fact request's envelope and secured body, for tampering.
    static func capturedEnvelope(_ serializer: SSLSerializer) throws -> (envelope: RubyHash, secured: RubyHash) {
        let folder = serializer == .yaml ? SSLFixtures.yamlFolder : SSLFixtures.marshalFolder
        let frame = try #require(SSLFixtures.frames(folder).first { $0.name.contains("22_rpc_get_fact_I_request") })
        let envelope = try #require(try decode(frame.body, serializer).asHash)
        let body = try #require(envelope["body"]?.bytesValue)
        let secured = try #require(try decode(body, serializer).asHash)
        return (envelope, secured)
    }

    static func decode(_ bytes: [UInt8], _ serializer: SSLSerializer) throws -> RubyValue {
        serializer == .yaml ? try RubyYAML.load(bytes) : try RubyMarshal.decode(bytes)
    }

    static func encode(_ value: RubyValue, _ serializer: SSLSerializer) throws -> [UInt8] {
        serializer == .yaml ? try RubyYAML.dump(value) : RubyMarshal.encode(value)
    }

    @Test("a changed :ttl or :msgtime is rejected as tampering", arguments: [SSLSerializer.marshal, .yaml])
    func tamperedTimes(serializer: SSLSerializer) throws {
        let folder = serializer == .yaml ? SSLFixtures.yamlFolder : SSLFixtures.marshalFolder
        let node = Self.node(folder, serializer)
        let (envelope, _) = try Self.capturedEnvelope(serializer)
        for (key, value) in [("ttl", RubyValue.int(3600)), ("msgtime", .int(1_795_542_665 + 3600))] {
            var changed = envelope
            changed.set(value, forSymbol: key)
            let bytes = try Self.encode(.hash(changed), serializer)
            #expect {
                try node.decodeRequest(bytes)
            } throws: { error in
                guard case SecurityError.tampered = error else { return false }
                return true
            }
        }
        // The unchanged envelope still passes, so the rejection is the change's doing.
        #expect(throws: Never.self) { try node.decodeRequest(try Self.encode(.hash(envelope), serializer)) }
    }

    @Test("a changed body or signature is an invalid signature", arguments: [SSLSerializer.marshal, .yaml])
    func tamperedBodyOrSignature(serializer: SSLSerializer) throws {
        let folder = serializer == .yaml ? SSLFixtures.yamlFolder : SSLFixtures.marshalFolder
        let node = Self.node(folder, serializer)
        let (envelope, secured) = try Self.capturedEnvelope(serializer)

        var body = secured
        body.set(.hash(RubyHash(symbolKeys: ["agent": "rpcutil", "action": "get_config_item", "caller": "cert=mcoclient"])), forSymbol: "ssl_msg")
        var changedBody = envelope
        changedBody.set(serializer == .yaml ? .str(String(decoding: try Self.encode(.hash(body), serializer), as: UTF8.self)) : .binary(try Self.encode(.hash(body), serializer)), forSymbol: "body")
        #expect(throws: SecurityError.invalidSignature) { try node.decodeRequest(try Self.encode(.hash(changedBody), serializer)) }

        var signature = TestBase64.decode(try #require(envelope["hash"]?.stringValue))
        signature[10] ^= 0x01
        var changedSignature = envelope
        changedSignature.set(.ascii(TestBase64.encode(signature)), forSymbol: "hash")
        #expect(throws: SecurityError.invalidSignature) { try node.decodeRequest(try Self.encode(.hash(changedSignature), serializer)) }

        var truncated = envelope
        truncated.set(.ascii(TestBase64.encode(Array(signature.prefix(100)))), forSymbol: "hash")
        #expect(throws: SecurityError.invalidSignature) { try node.decodeRequest(try Self.encode(.hash(truncated), serializer)) }

        var missing = envelope
        missing.remove(.symbol("hash"))
        #expect(throws: SecurityError.self) { try node.decodeRequest(try Self.encode(.hash(missing), serializer)) }
    }

    @Test("a reply signed by anyone but the server key is rejected")
    func replyWithWrongKey() throws {
        let frame = try #require(SSLFixtures.marshal.first { $0.isReply })
        let wrongKey = try SSLPublicKey.load(path: SSLFixtures.clientKey(SSLFixtures.marshalFolder))
        let client = SSLSecurityProvider(callerID: "cert=mcoclient", signingKey: nil, replyKey: wrongKey, clientKeys: nil)
        #expect(throws: SecurityError.invalidSignature) { try client.decodeReply(frame.body) }
    }

    @Test("an unknown cert name, or one that could leave the directory, never verifies")
    func unknownCallers() throws {
        let node = Self.node(SSLFixtures.marshalFolder, .marshal)
        let (envelope, _) = try Self.capturedEnvelope(.marshal)
        let cases: [(String, (SecurityError) -> Bool)] = [
            ("cert=nosuchclient", { if case .unknownCaller = $0 { return true } else { return false } }),
            ("cert=..", { if case .unknownCaller = $0 { return true } else { return false } }),
            ("cert=../pubkeys/mcoclient", { if case .invalidCallerID = $0 { return true } else { return false } }),
            ("cert=/etc/passwd", { if case .invalidCallerID = $0 { return true } else { return false } }),
            ("uid=0", { if case .invalidCallerID = $0 { return true } else { return false } }),
            ("cert=", { if case .invalidCallerID = $0 { return true } else { return false } }),
        ]
        for (callerID, expected) in cases {
            var changed = envelope
            changed.set(.str(callerID), forSymbol: "callerid")
            #expect {
                try node.decodeRequest(RubyMarshal.encode(.hash(changed)))
            } throws: { error in
                guard let error = error as? SecurityError else { return false }
                return expected(error)
            }
        }
        #expect(throws: SecurityError.self) { try SSLClientKeyDirectory.certificateName(callerID: "cert=a/b") }
        #expect(try SSLClientKeyDirectory.certificateName(callerID: "cert=mco-client.example_1") == "mco-client.example_1")
    }

    @Test("garbage and non-envelopes are typed errors for both serializers", arguments: [SSLSerializer.marshal, .yaml])
    func garbage(serializer: SSLSerializer) throws {
        let folder = serializer == .yaml ? SSLFixtures.yamlFolder : SSLFixtures.marshalFolder
        let node = Self.node(folder, serializer)
        let client = try Self.client(folder, serializer)
        let inputs: [[UInt8]] = [[], [0x04], Array("--- [".utf8), Array("--- 12\n".utf8), Array("- a\n- b\n".utf8), [0xFF, 0xFE, 0x00],
            Array("--- &a [*a]\n".utf8), Array(String(repeating: "[", count: 5000).utf8)]
        for bytes in inputs {
            #expect(throws: SecurityError.self) { try node.decodeRequest(bytes) }
            #expect(throws: SecurityError.self) { try client.decodeReply(bytes) }
        }
    }

    @Test("the provider refuses operations its role has no key for")
    func missingKeys() throws {
        let frame = try #require(Self.requests.first { $0.name.hasPrefix("rabbitmq_ssl_marshal") })
        let client = try Self.client(SSLFixtures.marshalFolder, .marshal)
        #expect(throws: SecurityError.self) { try client.decodeRequest(frame.body) }
        let request = try Self.node(SSLFixtures.marshalFolder, .marshal).decodeRequest(frame.body)
        #expect(throws: SecurityError.self) { try client.encodeRequest(request) }
    }

    @Test("caller ids are cert=<public key file name without .pem>")
    func callerIDs() {
        #expect(SSLSecurityProvider.callerID(publicKeyPath: "/home/john/.mc/john-public.pem") == "cert=john-public")
        #expect(SSLSecurityProvider.callerID(publicKeyPath: "mcoclient.pem") == "cert=mcoclient")
        #expect(SSLSecurityProvider.callerID(publicKeyPath: "/etc/keys/client.key") == "cert=client.key")
    }

    @Test("plugin.ssl_serializer: yaml selects YAML, anything else Marshal")
    func serializerSetting() {
        #expect(SSLSerializer(configurationValue: "yaml") == .yaml)
        #expect(SSLSerializer(configurationValue: "YAML") == .yaml)
        #expect(SSLSerializer(configurationValue: "marshal") == .marshal)
        #expect(SSLSerializer(configurationValue: "json") == .marshal)
        #expect(SSLSerializer(configurationValue: nil) == .marshal)
    }
}

/// Base64 for the tests, written independently of the provider's.
enum TestBase64 {
    static func decode(_ text: String) -> [UInt8] {
        Array(Data(base64Encoded: text.filter { !$0.isWhitespace }) ?? Data())
    }

    static func encode(_ bytes: [UInt8]) -> String {
        Data(bytes).base64EncodedString(options: [.lineLength64Characters, .endLineWithLineFeed])
    }
}
