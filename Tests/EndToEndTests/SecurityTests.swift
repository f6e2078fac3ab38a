import ChorusCore
import ChorusSecurity
import ChorusTestSupport
import Foundation
import RubyMarshal
import Testing

extension EndToEnd {
    /// Issue 5's attack list against real processes over real TLS (CA-verified, client
    /// certificates required): each attack fails, is counted in `daemon_stats` and logged, and
    /// the node answers a legitimate request right after it.
    @Suite("Security: every attack over TLS, end to end")
    struct SecurityTests {
        static func counters(_ fleet: Fleet, _ node: String = "node1") async throws -> [String: Int] {
            let result = try await fleet.chorus(["rpc", "rpcutil", "daemon_stats", "-I", node, "--json"])
            let data = try #require(try EndToEnd.RPCTests.replies(result).first?["data"] as? [String: Any], "\(result.stdout) \(result.stderr)")
            return data.compactMapValues { $0 as? Int }
        }

        static func log(_ fleet: Fleet, _ node: String = "node1") -> String {
            (try? String(contentsOfFile: fleet.logFile(node), encoding: .utf8)) ?? ""
        }

        /// A legitimate request still gets its answer.
        static func stillServes(_ fleet: Fleet, after attack: String) async throws {
            let ping = try await fleet.chorus(["rpc", "rpcutil", "ping", "-I", "node1", "--json"])
            #expect(ping.status == 0, "after \(attack): \(ping.stderr)")
            #expect(try EndToEnd.RPCTests.replies(ping).first?["statuscode"] as? Int == 0, "after \(attack)")
        }

        /// Sends one hostile request and checks it went unanswered, moved exactly the named
        /// counters by one, left `logLine` in the node's log, and that the node still serves.
        static func attack(
            _ name: String, fleet: Fleet, raw: RawClient, listener: any SecurityProvider, bytes: [UInt8],
            counts: [String], logLine: String
        ) async throws {
            let before = try await counters(fleet)
            try await raw.sendDirected(bytes, to: "node1")
            #expect(try await raw.nextReply(security: listener, timeout: .milliseconds(700)) == nil, "\(name) was answered")
            let after = try await counters(fleet)
            for key in ["unvalidated", "ttlexpired", "replayed", "unauthorized"] {
                let expected = (before[key] ?? 0) + (counts.contains(key) ? 1 : 0)
                #expect(after[key] == expected, "\(name): \(key) \(before[key] ?? -1) → \(after[key] ?? -1)")
            }
            #expect(log(fleet).contains(logLine), "\(name): the log does not say '\(logLine)'")
            try await stillServes(fleet, after: name)
        }

        static func request(
            security: any SecurityProvider, action: String = "ping", data: RubyHash = RubyHash(), ttl: Int = 60, ageSeconds: Int = 0
        ) throws -> (bytes: [UInt8], id: String) {
            var arguments = data
            arguments.set(.bool(true), forSymbol: "process_results")
            let id = Request.newRequestID()
            let request = Request(
                requestID: id, senderID: "raw", callerID: security.callerID, agent: "rpcutil", collective: "mcollective",
                filter: Filter(agents: ["rpcutil"]).rubyValue, ttl: ttl, messageTime: Int(Date().timeIntervalSince1970) - ageSeconds,
                body: RPCRequestBody(agent: "rpcutil", action: action, caller: security.callerID, data: arguments).rubyValue)
            return (try security.encodeRequest(request), id)
        }

        @Test("ssl provider over TLS with ActionPolicy: unknown key, tampered ttl and msgtime, caller id of another key, replay, expiry, policy denial, oversized and nested payloads, another CA's node certificate, plaintext")
        func sslOverTLS() async throws {
            let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("chorus-security-\(UUID().uuidString.prefix(8))")
            try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: scratch) }
            let pki = try await TestPKI.make(in: scratch.appendingPathComponent("pki"))
            let keys = try await HardeningSSLKeys.generate(in: scratch.appendingPathComponent("keys"))
            // A key pair the nodes have never seen.
            let stranger = scratch.appendingPathComponent("stranger-private.pem").path
            #expect(try await CommandResult.run(executable: "/usr/bin/openssl", ["genrsa", "-out", stranger, "2048"]).status == 0)
            chmod(stranger, 0o600)

            let node = Fleet.oracleNodes[0]
            let fleet = try Fleet(nodes: [node], security: .ssl(keys.fleetKeys, serializer: "marshal"), tls: pki.fleet())
            defer { fleet.shutdown() }
            try await fleet.startBroker()
            // rpcutil: ping, daemon_stats and get_config_item for the fleet's client; nothing else.
            let policies = fleet.nodeDirectory(node.identity).appendingPathComponent("policies")
            try FileManager.default.createDirectory(at: policies, withIntermediateDirectories: true)
            try "policy default deny\nallow\tcert=mcoclient\tping daemon_stats get_config_item\t*\n"
                .write(to: policies.appendingPathComponent("rpcutil.policy"), atomically: true, encoding: .utf8)
            try await fleet.startNodes(extra: [
                "rpcauthorization = 1", "rpcauthprovider = action_policy", "plugin.chorus.max_message_size = 1048576",
            ])
            try await Self.stillServes(fleet, after: "start")

            let client = try keys.client(serializer: .marshal)
            let raw = try await RawClient.connect(port: fleet.port, tls: fleet.tls)
            defer { Task { await raw.close() } }

            let unknown = SSLSecurityProvider(
                callerID: "cert=stranger", serializer: .marshal, signingKey: try SSLPrivateKey.load(path: stranger).key,
                replyKey: try SSLPublicKey.load(path: keys.path("server-public.pem")), clientKeys: nil)
            try await Self.attack(
                "a request signed by an unknown key", fleet: fleet, raw: raw, listener: client,
                bytes: try Self.request(security: unknown).bytes, counts: ["unvalidated"], logLine: "unknown caller:")

            // A valid signature, then the envelope's unsigned ttl or msgtime changed.
            for (field, value) in [("ttl", RubyValue.int(3600)), ("msgtime", RubyValue.int(Int(Date().timeIntervalSince1970) + 5))] {
                let (signed, _) = try Self.request(security: client, ttl: 60, ageSeconds: 30)
                var envelope = try #require(try RubyMarshal.decode(signed).asHash)
                envelope.set(value, forSymbol: field)
                try await Self.attack(
                    "a signed request with a tampered \(field)", fleet: fleet, raw: raw, listener: client,
                    bytes: RubyMarshal.encode(.hash(envelope)), counts: ["unvalidated"], logLine: "possible tampering")
            }

            let impostor = try keys.client(serializer: .marshal, callerID: "cert=other")
            try await Self.attack(
                "a caller id naming another trusted key", fleet: fleet, raw: raw, listener: client,
                bytes: try Self.request(security: impostor).bytes, counts: ["unvalidated"], logLine: "Received an invalid signature in message")

            let (signed, id) = try Self.request(security: client)
            try await raw.sendDirected(signed, to: "node1")
            #expect(try await raw.nextReply(security: client)?.requestID == id, "the original is answered")
            try await Self.attack(
                "a replayed request", fleet: fleet, raw: raw, listener: client, bytes: signed,
                counts: ["unvalidated", "replayed"], logLine: "refused request \(id) from cert=mcoclient@raw: replayed")

            try await Self.attack(
                "an expired request", fleet: fleet, raw: raw, listener: client,
                bytes: try Self.request(security: client, ttl: 60, ageSeconds: 300).bytes, counts: ["ttlexpired"], logLine: "seconds old, TTL is 60")

            let (big, _) = try Self.request(security: client, data: RubyHash(symbolKeys: ["blob": .str(String(repeating: "x", count: 2 << 20))]))
            try await Self.attack(
                "an oversized payload", fleet: fleet, raw: raw, listener: client, bytes: big, counts: ["unvalidated"],
                logLine: "larger than plugin.chorus.max_message_size (1048576 bytes)")

            var nested = RubyValue.str("bottom")
            for _ in 0..<200 { nested = .array([nested]) }
            try await Self.attack(
                "a deeply nested payload", fleet: fleet, raw: raw, listener: client,
                bytes: try Self.request(security: client, data: RubyHash(symbolKeys: ["deep": nested])).bytes,
                counts: ["unvalidated"], logLine: "nested too deeply")

            // A policy-denied action is answered, with status 1 and MCollective's words.
            let before = try await Self.counters(fleet)
            let denied = try await fleet.chorus(["rpc", "rpcutil", "get_fact", "fact=role", "-I", "node1", "--json"])
            let reply = try #require(try EndToEnd.RPCTests.replies(denied).first)
            #expect(reply["statuscode"] as? Int == 1)
            #expect(reply["statusmsg"] as? String == "You are not authorized to call this agent or action.")
            let after = try await Self.counters(fleet)
            #expect(after["unauthorized"] == (before["unauthorized"] ?? 0) + 1)
            #expect(Self.log(fleet).contains("denied rpcutil#get_fact for cert=mcoclient@"))
            try await Self.stillServes(fleet, after: "a policy-denied action")

            // A node whose certificate comes from another CA never joins; the broker says why.
            let intruder = Fleet.oracleNodes[1]
            try fleet.startServer(intruder, extra: FleetTLS.poolConfig(connector: "activemq", ca: pki.authority.certificate, identity: pki.intruder))
            let deadline = Date().addingTimeInterval(10)
            while !Self.log(fleet, intruder.identity).contains("TLS handshake with the broker"), Date() < deadline {
                try await Task.sleep(for: .milliseconds(50))
            }
            #expect(Self.log(fleet, intruder.identity).contains("the peer refused our certificate (alert: unknown CA)"))
            let find = try await fleet.chorus(["find"])
            #expect(find.lines == ["node1"], "\(find.stdout)")
            _ = fleet.stopServer(intruder.identity)

            // Plaintext STOMP to the TLS-only broker: an ERROR frame that says so, and a closed connection.
            let answer = try RawSocket.exchange(port: fleet.port, bytes: Array("CONNECT\naccept-version:1.0\n\n\0".utf8))
            #expect(String(decoding: answer, as: UTF8.self).contains("TLS required"), "\(String(decoding: answer, as: UTF8.self))")
            let brokerLog = (try? String(contentsOfFile: fleet.brokerLog.path, encoding: .utf8)) ?? ""
            #expect(brokerLog.contains("refused a plaintext connection from 127.0.0.1:"))
            #expect(brokerLog.contains("client certificate refused"))
            try await Self.stillServes(fleet, after: "the TLS refusals")
        }

        @Test("psk provider over TLS: a forged hash is rejected, counted, logged; the node keeps serving")
        func forgedPSKOverTLS() async throws {
            let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("chorus-security-psk-\(UUID().uuidString.prefix(8))")
            defer { try? FileManager.default.removeItem(at: scratch) }
            let pki = try await TestPKI.make(in: scratch)
            let fleet = try Fleet(nodes: [Fleet.oracleNodes[0]], tls: pki.fleet())
            defer { fleet.shutdown() }
            try await fleet.start()
            let raw = try await RawClient.connect(port: fleet.port, tls: fleet.tls)
            defer { Task { await raw.close() } }
            let listener = try PSKSecurityProvider(psk: fleet.psk, callerID: "uid=0")
            let forger = try PSKSecurityProvider(psk: "guessed", callerID: "uid=0")
            try await Self.attack(
                "a request with a forged PSK hash", fleet: fleet, raw: raw, listener: listener,
                bytes: try Self.request(security: forger).bytes, counts: ["unvalidated"], logLine: "rejected a message of")
            #expect(!Self.log(fleet).contains(fleet.psk), "the PSK appears in the node's log")
        }
    }
}
