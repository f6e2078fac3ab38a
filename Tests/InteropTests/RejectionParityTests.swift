import ChorusCore
import ChorusSecurity
import ChorusTestSupport
import Foundation
import RubyMarshal
import Testing

extension MixedCollectiveTests {
    /// The same bad requests, sent by hand to a real node and to a Chorus node, get the
    /// same treatment: the same status code and message, or the same silence.
    @Test("bad requests are treated alike by real and Chorus nodes (psk)", arguments: InteropScenario.selected.filter { $0.security == .psk })
    func rejectionParity(scenario: InteropScenario) async throws {
        let collective = try await MixedCollective.start(scenario)
        defer { Task { await collective.stop() } }
        let raw = try await RawClient.connect(port: collective.port, connector: scenario.connector)
        defer { Task { await raw.close() } }
        let psk = "s3cr3t"

        func outcome(_ bytes: [UInt8], to node: String) async throws -> String {
            try await raw.sendDirected(bytes, to: node)
            guard let reply = try await raw.nextReply(psk: psk, timeout: .seconds(3)) else { return "no reply" }
            guard let body = RPCReplyBody(reply.body) else { return "not an RPC reply: \(reply.body)" }
            return "\(body.statusCode) \(body.statusMessage)"
        }

        // (what, request, what real MCollective 2.12 does: status code, or "no reply")
        let cases: [(String, () throws -> [UInt8], String)] = [
            ("undeclared action", { try RawClient.request(action: "frobnicate", psk: psk) }, "4 "),
            ("missing required input", { try RawClient.request(action: "get_fact", psk: psk) }, "4 "),
            ("input failing validation", { try RawClient.request(action: "get_fact", data: RubyHash(symbolKeys: ["fact": "no spaces!"]), psk: psk) }, "4 "),
            ("unknown config item", { try RawClient.request(action: "get_config_item", data: RubyHash(symbolKeys: ["item": "nosuch"]), psk: psk) }, "1 "),
            ("wrong pre-shared key", { try RawClient.request(action: "ping", psk: "wrong") }, "no reply"),
            ("expired", { try RawClient.request(action: "ping", psk: psk, ageSeconds: 600) }, "no reply"),
            ("a good request, for contrast", { try RawClient.request(action: "ping", psk: psk) }, "0 OK"),
        ]
        for (name, make, expected) in cases {
            let real = try await outcome(try make(), to: "mco1")
            let ours = try await outcome(try make(), to: "chorus1")
            #expect(real.hasPrefix(expected), "\(name): mcollectived said '\(real)'")
            #expect(real == ours, "\(name): mcollectived said '\(real)', Chorus said '\(ours)'")
        }
    }
}

extension MixedCollectiveTests {
    /// The ssl attacks of the compatibility issue, against a real node and a Chorus node.
    @Test("unknown keys and tampered ttl are rejected alike by real and Chorus nodes (ssl)", arguments: InteropScenario.selected.filter { $0.security != .psk && $0.broker != .chorus })
    func sslRejectionParity(scenario: InteropScenario) async throws {
        let collective = try await MixedCollective.start(scenario)
        defer { Task { await collective.stop() } }
        let keys = try InteropHarness.sslKeys(collective.state)
        let serializer: SSLSerializer = scenario.security == .sslYAML ? .yaml : .marshal
        let clientKey = try SSLPrivateKey.load(path: keys.clientPrivate).key
        let serverPublic = try SSLPublicKey.load(path: keys.serverPublic)
        let intruderKey = try SSLPrivateKey(pem: try await Self.freshPrivateKey())
        func provider(_ callerID: String, _ key: SSLPrivateKey) -> SSLSecurityProvider {
            SSLSecurityProvider(callerID: callerID, serializer: serializer, signingKey: key, replyKey: serverPublic, clientKeys: nil)
        }
        let client = provider("cert=mcoclient", clientKey)

        let raw = try await RawClient.connect(port: collective.port, connector: scenario.connector)
        defer { Task { await raw.close() } }
        func outcome(_ bytes: [UInt8], to node: String) async throws -> String {
            try await raw.sendDirected(bytes, to: node)
            guard let reply = try await raw.nextReply(security: client, timeout: .seconds(3)) else { return "no reply" }
            guard let body = RPCReplyBody(reply.body) else { return "not an RPC reply" }
            return "\(body.statusCode) \(body.statusMessage)"
        }

        let cases: [(String, () throws -> [UInt8], String)] = [
            ("a good request, for contrast", { try RawClient.request(action: "ping", security: client) }, "0 OK"),
            ("signed by a key nobody knows", { try RawClient.request(action: "ping", security: provider("cert=intruder", intruderKey)) }, "no reply"),
            ("a known name, signed by another key", { try RawClient.request(action: "ping", security: provider("cert=mcoclient", intruderKey)) }, "no reply"),
            ("a valid signature with a tampered ttl", { try Self.tamperTTL(try RawClient.request(action: "ping", security: client), serializer: serializer) }, "no reply"),
            ("an undeclared action", { try RawClient.request(action: "frobnicate", security: client) }, "4 "),
        ]
        for (name, make, expected) in cases {
            let real = try await outcome(try make(), to: "mco2")
            let ours = try await outcome(try make(), to: "chorus2")
            #expect(real.hasPrefix(expected), "\(name): mcollectived said '\(real)'")
            #expect(real == ours, "\(name): mcollectived said '\(real)', Chorus said '\(ours)'")
        }
    }

    /// A new 2048-bit RSA key from `openssl genrsa`.
    static func freshPrivateKey() async throws -> String {
        let result = try await CommandResult.run(executable: "/usr/bin/openssl", ["genrsa", "2048"])
        guard result.status == 0 else { throw FleetError("openssl genrsa failed: \(result.stderr)") }
        return result.stdout
    }

    /// The same envelope with `:ttl` raised to an hour; the signature still covers the old body.
    static func tamperTTL(_ bytes: [UInt8], serializer: SSLSerializer) throws -> [UInt8] {
        let decoded = serializer == .yaml ? try RubyYAML.load(bytes) : try RubyMarshal.decode(bytes)
        guard case .hash(var envelope) = decoded else { throw FleetError("not an envelope") }
        envelope.set(.int(3600), forSymbol: "ttl")
        return serializer == .yaml ? try RubyYAML.dump(.hash(envelope)) : RubyMarshal.encode(.hash(envelope))
    }
}
