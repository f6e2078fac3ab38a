import ChorusCore
import ChorusSecurity
import Foundation
import RubyMarshal
import Testing

@Suite("Hardening: YAML size, and key files anyone can write", .enabled(if: Subprocess.openssl != nil))
struct HardeningSecurityTests {
    @Test("YAML over the byte limit is refused before parsing, whatever it holds")
    func yamlBytes() throws {
        let text = Array("--- [unclosed".utf8)
        #expect(throws: RubyYAMLError.documentTooLong(bytes: text.count, limit: 8)) { try RubyYAML.load(text, maxBytes: 8) }
        #expect {
            try RubyYAML.load(text, maxBytes: text.count)
        } throws: { error in
            guard case RubyYAMLError.syntax = error else { return false }
            return true
        }
        #expect("\(RubyYAMLError.documentTooLong(bytes: 10, limit: 8))".contains("10 bytes is longer than the limit of 8 bytes"))
    }

    @Test("a YAML sequence or mapping longer than maxCollectionCount is refused")
    func yamlCollections() throws {
        let limits = MarshalLimits(maxCollectionCount: 3)
        #expect(try RubyYAML.load(Array("--- [1, 2, 3]".utf8), limits: limits) == .array([1, 2, 3]))
        #expect(throws: RubyYAMLError.tooLarge) { try RubyYAML.load(Array("--- [1, 2, 3, 4]".utf8), limits: limits) }
        #expect(throws: RubyYAMLError.tooLarge) { try RubyYAML.load(Array("---\na: 1\nb: 2\nc: 3\nd: 4\n".utf8), limits: limits) }
    }

    @Test("the ssl yaml provider applies maxYAMLBytes to the envelope; the same request passes under a larger limit")
    func sslYAMLLimit() throws {
        let keys = try SSLSigningTests.Keys()
        let bytes = try keys.client(.yaml).encodeRequest(SSLSigningTests.request(callerID: "cert=alice-public"))
        let node = try keys.node(.yaml)
        #expect(throws: Never.self) { try node.decodeRequest(bytes) }
        let strict = SSLSecurityProvider(
            callerID: "cert=server-public", serializer: .yaml, signingKey: nil, replyKey: nil,
            clientKeys: SSLClientKeyDirectory(path: keys.clientDirectory), maxYAMLBytes: bytes.count - 1)
        #expect {
            try strict.decodeRequest(bytes)
        } throws: { error in
            guard case SecurityError.malformed(let why) = error else { return false }
            return why.contains("envelope: YAML document of \(bytes.count) bytes is longer than the limit of \(bytes.count - 1) bytes")
        }
    }

    @Test("key files any user can write are refused: private keys, the server public key, trusted client keys")
    func worldWritableKeys() throws {
        let keys = try SSLSigningTests.Keys()
        let request = try keys.client(.marshal).encodeRequest(SSLSigningTests.request(callerID: "cert=alice-public"))
        #expect(throws: Never.self) { try keys.node(.marshal).decodeRequest(request) }
        let material = try String(contentsOfFile: keys.serverPrivate, encoding: .utf8).split(separator: "\n")[1]

        chmod(keys.serverPrivate, 0o606)
        #expect {
            try SSLPrivateKey.load(path: keys.serverPrivate)
        } throws: { error in
            let text = "\(error)"
            return text.contains(keys.serverPrivate) && text.contains("writable by any user (mode 606)") && !text.contains(material)
        }
        chmod(keys.serverPrivate, 0o600)

        chmod(keys.serverPublic, 0o666)
        #expect(throws: SecurityError.self) { try SSLPublicKey.load(path: keys.serverPublic) }
        chmod(keys.serverPublic, 0o644)
        #expect(throws: Never.self) { try SSLPublicKey.load(path: keys.serverPublic) }

        // A trusted client key anyone could have replaced no longer verifies requests.
        let node = try keys.node(.marshal)
        chmod(keys.clientPublic, 0o646)
        #expect {
            try node.decodeRequest(request)
        } throws: { error in
            guard case SecurityError.unreadableKey(let path, let reason) = error else { return false }
            return path == keys.clientPublic && reason.contains("chmod")
        }
        chmod(keys.clientPublic, 0o644)
        #expect(throws: Never.self) { try node.decodeRequest(request) }
    }
}
