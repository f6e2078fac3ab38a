import ChorusTestSupport
import Foundation
import Testing

extension EndToEnd {
    /// A fleet whose broker listens only on TLS and checks client certificates: real `chorus
    /// broker`, `chorus server` and `chorus` processes, certificates made with `openssl`.
    @Suite("TLS to the broker, end to end")
    struct TLSTests {
        static func text(_ path: String) -> String { (try? String(contentsOfFile: path, encoding: .utf8)) ?? "" }

        /// Polls a log file until it contains `needle` (10 s at most).
        static func waitForLog(_ path: String, containing needle: String) async throws -> String {
            let deadline = Date().addingTimeInterval(10)
            while Date() < deadline {
                let log = text(path)
                if log.contains(needle) { return log }
                try await Task.sleep(for: .milliseconds(50))
            }
            return text(path)
        }

        @Test("ping and rpc over verified TLS; a node with another CA's certificate and plaintext or wrongly trusting clients are refused with reasons; the broker counts them and keeps serving")
        func tlsFleet() async throws {
            let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("chorus-e2e-tls-\(getpid())-\(UUID().uuidString.prefix(6))")
            defer { try? FileManager.default.removeItem(at: scratch) }
            let tls = try await TestPKI.make(in: scratch)
            let nodes = Array(Fleet.oracleNodes.prefix(2))
            let fleet = try Fleet(nodes: nodes, tls: tls.fleet())
            defer { fleet.shutdown() }
            try await fleet.start()

            // Discovery, ping and rpc over TLS.
            let ping = try await fleet.chorus(["ping"])
            #expect(ping.status == 0, "\(ping.stderr)")
            #expect(ping.stdout.contains("node1") && ping.stdout.contains("node2"), "\(ping.stdout)")
            let rpc = try await fleet.chorus(["rpc", "rpcutil", "get_fact", "fact=osfamily", "--json"])
            #expect(rpc.status == 0, "\(rpc.stderr)")
            #expect(rpc.stdout.contains("\"sender\":\"node1\"") && rpc.stdout.contains("\"value\":\"RedHat\""), "\(rpc.stdout)")
            #expect(Self.text(fleet.logFile("node1")).contains("TLS, broker verified"))

            // A node whose certificate comes from another CA: refused; its log and the broker's say why.
            let intruder = Fleet.oracleNodes[2]
            try fleet.startServer(intruder, extra: FleetTLS.poolConfig(connector: "activemq", ca: tls.authority.certificate, identity: tls.intruder))
            let nodeLog = try await Self.waitForLog(fleet.logFile(intruder.identity), containing: "TLS handshake with the broker")
            #expect(nodeLog.contains("the peer refused our certificate (alert: unknown CA)"), "\(nodeLog)")
            #expect(nodeLog.contains("plugin.activemq.pool.1.ssl.cert"), "\(nodeLog)")
            #expect(!nodeLog.contains("connected to broker"))
            let brokerLog = try await Self.waitForLog(fleet.brokerLog.path, containing: "'CN=intruder' is issued by 'CN=Another CA'")
            #expect(brokerLog.contains("TLS handshake with 127.0.0.1:"), "\(brokerLog)")
            #expect(brokerLog.contains("client certificate refused: certificate verify failed: unable to get local issuer certificate"), "\(brokerLog)")
            let find = try await fleet.chorus(["find"])
            #expect(Set(find.lines) == ["node1", "node2"], "\(find.stdout)")
            #expect(fleet.stopServer(intruder.identity) == 0)

            // A client with a plaintext configuration: the broker's "TLS required", exit 1.
            let plainConfig = fleet.directory.appendingPathComponent("plain-client.cfg").path
            try fleet.writeClientConfig(identity: "plain", path: plainConfig, extra: ["plugin.activemq.pool.1.ssl = 0"])
            let plain = try await fleet.chorus(["ping"], config: plainConfig)
            #expect(plain.status == 1)
            #expect(plain.stderr.contains("refused the connection: TLS required: This port only accepts STOMP over TLS"), "\(plain.stderr)")
            #expect(Self.text(fleet.brokerLog.path).contains("refused a plaintext connection from 127.0.0.1:"))

            // A client that trusts another CA refuses the broker and says what to check.
            let wrongCA = fleet.directory.appendingPathComponent("wrong-ca.cfg").path
            try fleet.writeClientConfig(
                identity: "wrongca", path: wrongCA, extra: ["plugin.activemq.pool.1.ssl.ca = \(tls.otherAuthority.certificate)"])
            let refused = try await fleet.chorus(["ping"], config: wrongCA)
            #expect(refused.status == 1)
            #expect(refused.stderr.contains("certificate verify failed: unable to get local issuer certificate"), "\(refused.stderr)")
            #expect(refused.stderr.contains("check plugin.activemq.pool.1.ssl.ca"), "\(refused.stderr)")

            // An unreadable CA file is a configuration error naming the key, before any connection.
            let missing = fleet.directory.appendingPathComponent("missing-ca.cfg").path
            try fleet.writeClientConfig(identity: "missing", path: missing, extra: ["plugin.activemq.pool.1.ssl.ca = /nonexistent/ca.pem"])
            let unreadable = try await fleet.chorus(["ping"], config: missing)
            #expect(unreadable.status == 1)
            #expect(unreadable.stderr.contains("plugin.activemq.pool.1.ssl.ca: cannot read /nonexistent/ca.pem"), "\(unreadable.stderr)")

            // With ssl.fallback the same client warns and connects unverified, without a client
            // certificate (MCollective's fallback), which this broker refuses.
            let fallback = fleet.directory.appendingPathComponent("fallback.cfg").path
            try fleet.writeClientConfig(
                identity: "fallback", path: fallback,
                extra: ["plugin.activemq.pool.1.ssl.ca = /nonexistent/ca.pem", "plugin.activemq.pool.1.ssl.fallback = 1"])
            let unverified = try await fleet.chorus(["ping"], config: fallback)
            #expect(unverified.status == 1)
            #expect(unverified.stderr.contains("falling back to unverified TLS because plugin.activemq.pool.1.ssl.fallback is set"), "\(unverified.stderr)")
            #expect(unverified.stderr.contains("requires a client certificate"), "\(unverified.stderr)")

            // The broker kept serving the legitimate fleet throughout.
            let again = try await fleet.chorus(["rpc", "rpcutil", "ping", "--json"])
            #expect(again.status == 0)
            #expect(again.stdout.contains("\"sender\":\"node2\""))

            // Its exit summary counts the refusals: the intruder's attempts, the plaintext, wrong-CA and fallback clients.
            fleet.stopBroker()
            let summary = Self.text(fleet.brokerLog.path)
            let counts = try #require(
                summary.firstMatch(of: /(\d+) TLS handshake failures \((\d+) plaintext\)/), "\(summary.suffix(2000))")
            #expect(Int(counts.output.1) ?? 0 >= 4)
            #expect(Int(counts.output.2) == 1)
        }
    }
}
