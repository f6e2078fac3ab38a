import ChorusCore
import ChorusSecurity
import ChorusTestSupport
import Foundation
import RubyMarshal
import Testing

extension EndToEnd {
    /// Secrets stay on the node: the PSK and private keys never reach a log (even at debug), a
    /// reply, or a client's output, whatever the node is sent; key files with loose permissions
    /// are warned about at start, and files anyone can write are refused.
    @Suite("Secrets, end to end")
    struct SecretsTests {
        /// Every text a run produced: command output, replies, node and broker logs.
        final class Transcript {
            var texts: [String] = []
            func add(_ result: CommandResult) { texts += [result.stdout, result.stderr] }
            func add(_ reply: Reply?) { if let reply { texts.append(reply.body.inspect + reply.senderID) } }
            func addLogs(_ fleet: Fleet) throws {
                for node in fleet.nodes {
                    texts.append(try String(contentsOfFile: fleet.logFile(node.identity), encoding: .utf8))
                    texts.append((try? String(contentsOf: fleet.nodeDirectory(node.identity).appendingPathComponent("stdout.log"), encoding: .utf8)) ?? "")
                }
            }
            func leaks(_ secret: some StringProtocol) -> Bool { texts.contains { $0.contains(secret) } }
        }

        @Test("the PSK never appears in the debug log, in get_config_item answers, in replies or in client output")
        func psk() async throws {
            let secret = "pskSecret-\(UInt64.random(in: 1 ... .max))"
            let fleet = try Fleet(nodes: [Fleet.oracleNodes[0]], security: .psk(secret))
            defer { fleet.shutdown() }
            try await fleet.start()
            let transcript = Transcript()

            // Asking for it: plugin.psk is unknown, pluginconf leaves it out.
            let item = try await fleet.chorus(["rpc", "rpcutil", "get_config_item", "item=plugin.psk", "-I", "node1", "--json"])
            transcript.add(item)
            let itemReply = try #require(try EndToEnd.RPCTests.replies(item).first)
            #expect(itemReply["statuscode"] as? Int == 1 && itemReply["statusmsg"] as? String == "Unknown config property plugin.psk")
            let conf = try await fleet.chorus(["rpc", "rpcutil", "get_config_item", "item=pluginconf", "-I", "node1", "--json"])
            transcript.add(conf)
            let confData = try #require(try EndToEnd.RPCTests.replies(conf).first?["data"] as? [String: Any])
            let pluginconf = try #require(confData["value"] as? [String: Any], "\(conf.stdout)")
            #expect(pluginconf["yaml"] != nil && pluginconf["psk"] == nil)
            for name in ["psk", "plugin.activemq.pool.1.password", "securityprovider", "configfile"] {
                transcript.add(try await fleet.chorus(["rpc", "rpcutil", "get_config_item", "item=\(name)", "-I", "node1", "--json"]))
            }

            // Forged and malformed requests, and a client with the wrong key.
            let raw = try await RawClient.connect(port: fleet.port)
            try await raw.sendDirected(try RawClient.request(action: "ping", psk: "wrong"), to: "node1")
            try await raw.sendDirected(Array("garbage".utf8), to: "node1")
            var forged = try #require(try RubyMarshal.decode(try RawClient.request(action: "ping", psk: secret)).asHash)
            forged.set(.str(String(repeating: "0", count: 32)), forSymbol: "hash")
            try await raw.sendDirected(RubyMarshal.encode(.hash(forged)), to: "node1")
            try await raw.sendDirected(try RawClient.request(action: "ping", psk: secret, ageSeconds: 600), to: "node1")
            try await raw.sendDirected(try RawClient.request(action: "get_fact", data: RubyHash(symbolKeys: ["fact": .int(1)]), psk: secret), to: "node1")
            transcript.add(try await raw.nextReply(psk: secret))
            try await raw.sendDirected(try RawClient.request(action: "get_config_item", data: RubyHash(symbolKeys: ["item": .str("plugin.psk")]), psk: secret), to: "node1")
            let direct = try #require(try await raw.nextReply(psk: secret))
            transcript.add(direct)
            #expect(RPCReplyBody(direct.body)?.statusMessage == "Unknown config property plugin.psk")
            await raw.close()
            let wrongConfig = fleet.directory.appendingPathComponent("wrong.cfg").path
            try fleet.writeClientConfig(identity: "intruder", psk: "not-the-key", path: wrongConfig)
            transcript.add(try await fleet.chorus(["rpc", "rpcutil", "ping", "-I", "node1", "-t", "1"], config: wrongConfig))
            transcript.add(try await fleet.chorus(["rpc", "rpcutil", "daemon_stats", "-I", "node1", "--json"]))
            transcript.add(try await fleet.chorus(["inventory", "node1"]))

            try transcript.addLogs(fleet)
            let log = try String(contentsOfFile: fleet.logFile("node1"), encoding: .utf8)
            #expect(log.contains(" DEBUG -- ") && log.contains("Received an invalid signature"))
            #expect(!transcript.leaks(secret))
            // The control: the secret is really in the configuration these processes read.
            #expect(try String(contentsOfFile: fleet.serverConfig("node1"), encoding: .utf8).contains("plugin.psk = \(secret)"))
        }

        @Test("ssl: private key material never leaks; a key readable by others is warned about at start, one anyone can write is refused")
        func sslKeys() async throws {
            let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("chorus-secrets-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: scratch) }
            let keys = try await HardeningSSLKeys.generate(in: scratch)
            chmod(keys.fleetKeys.serverPrivate, 0o640)
            let fleet = try Fleet(nodes: [Fleet.oracleNodes[0]], security: .ssl(keys.fleetKeys, serializer: "marshal"))
            defer { fleet.shutdown() }
            try await fleet.start()
            let transcript = Transcript()

            for name in ["plugin.ssl_server_private", "pluginconf", "plugin.ssl_client_cert_dir"] {
                transcript.add(try await fleet.chorus(["rpc", "rpcutil", "get_config_item", "item=\(name)", "-I", "node1", "--json"]))
            }
            let raw = try await RawClient.connect(port: fleet.port)
            let client = try keys.client(serializer: .marshal)
            let impostor = try keys.client(serializer: .marshal, callerID: "cert=other")
            try await raw.sendDirected(try RawClient.request(action: "ping", security: impostor), to: "node1")
            try await raw.sendDirected(try RawClient.request(action: "ping", security: try keys.client(serializer: .marshal, callerID: "cert=nobody")), to: "node1")
            try await raw.sendDirected(Array("garbage".utf8), to: "node1")
            try await raw.sendDirected(try RawClient.request(action: "ping", security: client), to: "node1")
            transcript.add(try await raw.nextReply(security: client))
            await raw.close()
            transcript.add(try await fleet.chorus(["rpc", "rpcutil", "inventory", "-I", "node1"]))

            try transcript.addLogs(fleet)
            let material = try keys.privateKeyLines()
            #expect(material.count > 40)
            for line in material { #expect(!transcript.leaks(line)) }
            let log = try String(contentsOfFile: fleet.logFile("node1"), encoding: .utf8)
            #expect(log.contains("private key \(keys.fleetKeys.serverPrivate) is readable by group or others (mode 640); restrict it with chmod 600"))
            #expect(log.contains("no public key for cert=nobody"))

            // A private key anyone can write: the node refuses to start and says why.
            chmod(keys.fleetKeys.serverPrivate, 0o646)
            let refused = try await CommandResult.run(["server", "-c", fleet.serverConfig("node1"), "--console"])
            #expect(refused.status != 0)
            #expect(refused.stderr.contains("cannot use key \(keys.fleetKeys.serverPrivate): the file is writable by any user (mode 646)"))
            for line in material { #expect(!refused.stderr.contains(line) && !refused.stdout.contains(line)) }
        }
    }
}
