import ChorusTestSupport
import Foundation
import Logging
import NIOCore
import NIOPosix
import STOMP
import Synchronization
import Testing

@testable import ChorusBroker

/// Log lines a broker wrote, for checking what a refusal logged.
final class CapturedLog: Sendable {
    private let lines = Mutex<[String]>([])
    func append(_ line: String) { lines.withLock { $0.append(line) } }
    var text: String { lines.withLock { $0.joined(separator: "\n") } }

    var logger: Logger {
        Logger(label: "broker-under-test") { _ in CapturingHandler(log: self) }
    }

    struct CapturingHandler: LogHandler {
        let log: CapturedLog
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .info
        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }
        func log(event: LogEvent) {
            log.append("\(event.level) \(event.message)")
        }
    }
}

/// Certificates made once for the whole suite with the real `openssl` command line.
enum TLSMaterial {
    static let shared = Task { () throws -> (TestPKI, CertificateFactory, URL) in
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("chorus-tls-\(getpid())")
        atexit {
            try? FileManager.default.removeItem(at: FileManager.default.temporaryDirectory.appendingPathComponent("chorus-tls-\(getpid())"))
        }
        let pki = try await TestPKI.make(in: directory)
        return (pki, pki.factory, directory)
    }
}

/// `chorus broker`'s TLS listener and the STOMP client's TLS, over real loopback TLS with real
/// certificates: what is accepted, what is refused, what is logged and counted, and that the
/// broker keeps serving after every refusal.
@Suite("TLS listener and STOMP client TLS")
struct TLSListenerTests {
    /// A broker with a plaintext listener first and a TLS listener second.
    func withTLSBroker<T>(
        _ tls: TestPKI, verifyClients: BrokerTLSConfiguration.ClientVerification = .required,
        certificate: CertificateFactory.Identity? = nil, log: CapturedLog = CapturedLog(),
        _ body: (BrokerServer, _ plain: SocketAddress, _ secure: SocketAddress) async throws -> T
    ) async throws -> T {
        var configuration = BrokerConfiguration()
        configuration.listen = [ListenAddress(host: "127.0.0.1", port: 0), ListenAddress(host: "127.0.0.1", port: 0, tls: true)]
        let served = certificate ?? tls.broker
        configuration.tls = BrokerTLSConfiguration(
            certificateFile: served.certificate, privateKeyFile: served.key, caFile: tls.authority.certificate,
            verifyClients: verifyClients)
        let broker = try await BrokerServer.start(
            configuration: configuration, group: MultiThreadedEventLoopGroup.singleton, logger: log.logger)
        do {
            let result = try await body(broker, broker.boundAddresses[0], broker.boundAddresses[1])
            try await broker.shutdown()
            return result
        } catch {
            try? await broker.shutdown()
            throw error
        }
    }

    func client(
        _ address: SocketAddress, host: String = "127.0.0.1", ca: String?, identity: CertificateFactory.Identity?,
        verification: STOMPTLSSettings.Verification = .verified
    ) -> STOMPClient {
        let tls = STOMPTLSSettings(
            verification: verification, caFiles: ca.map { [$0] } ?? [], certificateFile: identity?.certificate,
            privateKeyFile: identity?.key, keyPrefix: "plugin.activemq.pool.1.ssl")
        let endpoint = STOMPEndpoint(host: host, port: address.port ?? 0, login: "mcollective", passcode: "marionette", tls: tls)
        var logger = Logger(label: "tls-test-client")
        logger.logLevel = .critical
        return STOMPClient(
            configuration: STOMPClientConfiguration(endpoints: [endpoint], virtualHost: "mcollective", reconnects: false, connectTimeout: 5),
            group: MultiThreadedEventLoopGroup.singleton, logger: logger)
    }

    /// The error `connect()` throws, as text (fails the test when it connects).
    func refusal(_ client: STOMPClient) async throws -> String {
        do {
            try await client.connect()
            await client.close()
            Issue.record("the connection was accepted")
            return ""
        } catch {
            return "\(error)"
        }
    }

    /// Proves the broker still serves a verified TLS client.
    func expectServes(_ tls: TestPKI, _ secure: SocketAddress) async throws {
        let good = client(secure, ca: tls.authority.certificate, identity: tls.client)
        try await good.connect()
        #expect(await good.connectedEndpoint != nil)
        await good.close()
    }

    @Test("a verified client with a certificate from the CA connects, and messages cross between TLS and plaintext listeners")
    func verifiedConnection() async throws {
        let (tls, _, _) = try await TLSMaterial.shared.value
        try await withTLSBroker(tls) { broker, plain, secure in
            let subscriber = client(secure, ca: tls.authority.certificate, identity: tls.client)
            try await subscriber.connect()
            try await subscriber.subscribe(destination: "/topic/mcollective.rpcutil.agent")
            #expect(try await eventually { broker.stats.subscriptions == 1 })

            let (sender, connected) = try await TestClient.connected(to: plain)
            #expect(connected.command == .connected)
            try await sender.send("/topic/mcollective.rpcutil.agent", body: "over the plaintext port")
            var iterator = subscriber.frames.makeAsyncIterator()
            let message = try #require(await iterator.next())
            #expect(message.command == .message)
            #expect(String(buffer: message.body) == "over the plaintext port")
            #expect(broker.stats.tlsHandshakeFailures == 0)
            await sender.close()
            await subscriber.close()
        }
    }

    @Test("a client that trusts another CA refuses the broker, naming the reason and the key to check")
    func wrongCA() async throws {
        let (tls, _, _) = try await TLSMaterial.shared.value
        let log = CapturedLog()
        try await withTLSBroker(tls, log: log) { broker, _, secure in
            let message = try await refusal(client(secure, ca: tls.otherAuthority.certificate, identity: tls.client))
            #expect(message.contains("TLS handshake with the broker at 127.0.0.1:\(secure.port ?? 0) failed"), "\(message)")
            #expect(message.contains("unable to get local issuer certificate"), "\(message)")
            #expect(message.contains("'CN=broker' is issued by 'CN=Chorus Test CA'"), "\(message)")
            #expect(message.contains("check plugin.activemq.pool.1.ssl.ca"), "\(message)")
            // The broker saw the client's "unknown CA" alert: logged with the address, counted.
            #expect(try await eventually { broker.stats.tlsHandshakeFailures == 1 })
            #expect(try await eventually { log.text.contains("the client does not accept the broker's certificate (alert: unknown CA)") }, "\(log.text)")
            try await expectServes(tls, secure)
        }
    }

    @Test("a client certificate from another CA is refused by the broker, logged with the peer and reason, counted")
    func clientFromAnotherCA() async throws {
        let (tls, _, _) = try await TLSMaterial.shared.value
        let log = CapturedLog()
        try await withTLSBroker(tls, log: log) { broker, _, secure in
            let message = try await refusal(client(secure, ca: tls.authority.certificate, identity: tls.intruder))
            #expect(message.contains("the peer refused our certificate"), "\(message)")
            #expect(message.contains("plugin.activemq.pool.1.ssl.cert"), "\(message)")
            #expect(try await eventually { broker.stats.tlsHandshakeFailures == 1 })
            #expect(try await eventually { log.text.contains("TLS handshake with 127.0.0.1:") }, "\(log.text)")
            #expect(try await eventually { log.text.contains("'CN=intruder' is issued by 'CN=Another CA', which is not a trusted CA") }, "\(log.text)")
            try await expectServes(tls, secure)
            #expect(broker.stats.tlsHandshakeFailures == 1)
        }
    }

    @Test("client certificate required but absent: refused and counted; optional: accepted")
    func missingClientCertificate() async throws {
        let (tls, _, _) = try await TLSMaterial.shared.value
        let log = CapturedLog()
        try await withTLSBroker(tls, verifyClients: .required, log: log) { broker, _, secure in
            let message = try await refusal(client(secure, ca: tls.authority.certificate, identity: nil))
            #expect(message.contains("requires a client certificate"), "\(message)")
            #expect(message.contains("set plugin.activemq.pool.1.ssl.cert and plugin.activemq.pool.1.ssl.key"), "\(message)")
            #expect(try await eventually { broker.stats.tlsHandshakeFailures == 1 })
            #expect(try await eventually { log.text.contains("the client sent no certificate, but one is required") }, "\(log.text)")
            try await expectServes(tls, secure)
        }
        try await withTLSBroker(tls, verifyClients: .optional) { broker, _, secure in
            let anonymous = client(secure, ca: tls.authority.certificate, identity: nil)
            try await anonymous.connect()
            await anonymous.close()
            // Optional still refuses a certificate that does not verify.
            _ = try await refusal(client(secure, ca: tls.authority.certificate, identity: tls.intruder))
            #expect(try await eventually { broker.stats.tlsHandshakeFailures == 1 })
        }
    }

    @Test("plaintext STOMP on the TLS port gets a plaintext ERROR, is counted, and the broker keeps serving")
    func plaintextOnTLSPort() async throws {
        let (tls, _, _) = try await TLSMaterial.shared.value
        let log = CapturedLog()
        try await withTLSBroker(tls, log: log) { broker, _, secure in
            // A port probe (connect, close, no byte) is no failed handshake.
            let probe = try await TestClient.connect(to: secure)
            await probe.close()
            #expect(try await eventually { broker.stats.connectionsCurrent == 0 })
            try await Task.sleep(for: .milliseconds(100))
            #expect(broker.stats.tlsHandshakeFailures == 0)

            let (raw, reply) = try await TestClient.connected(to: secure)
            #expect(reply.command == .error)
            #expect(reply.headers["message"] == "TLS required")
            try await raw.waitUntilClosed()
            #expect(broker.stats.tlsPlaintextRefused == 1)
            #expect(broker.stats.tlsHandshakeFailures == 1)
            #expect(try await eventually { log.text.contains("refused a plaintext connection from 127.0.0.1:") }, "\(log.text)")

            // The STOMP client without TLS reports the broker's words.
            let endpoint = STOMPEndpoint(host: "127.0.0.1", port: secure.port ?? 0)
            var quiet = Logger(label: "plain")
            quiet.logLevel = .critical
            let plainClient = STOMPClient(
                configuration: STOMPClientConfiguration(endpoints: [endpoint], virtualHost: "mcollective", reconnects: false),
                group: MultiThreadedEventLoopGroup.singleton, logger: quiet)
            let message = try await refusal(plainClient)
            #expect(message.contains("refused the connection: TLS required"), "\(message)")
            #expect(broker.stats.tlsPlaintextRefused == 2)
            try await expectServes(tls, secure)
        }
    }

    @Test("a TLS client on the plaintext port fails with a message that says so")
    func tlsOnPlaintextPort() async throws {
        let (tls, _, _) = try await TLSMaterial.shared.value
        try await withTLSBroker(tls) { _, plain, _ in
            let message = try await refusal(client(plain, ca: tls.authority.certificate, identity: tls.client))
            #expect(message.contains("does not speak TLS"), "\(message)")
            #expect(message.contains("set plugin.activemq.pool.1.ssl = 0 or use the broker's TLS port"), "\(message)")
        }
    }

    @Test("expired certificates are refused on both sides with 'certificate has expired'")
    func expiredCertificates() async throws {
        let (tls, factory, _) = try await TLSMaterial.shared.value
        let expired = (notBefore: "20200101000000Z", notAfter: "20210101000000Z")
        let expiredBroker = try await factory.issue(
            "broker", by: tls.authority, alternativeNames: ["IP:127.0.0.1"], validity: expired)
        try await withTLSBroker(tls, certificate: expiredBroker) { _, _, secure in
            let message = try await refusal(client(secure, ca: tls.authority.certificate, identity: tls.client))
            #expect(message.contains("certificate has expired: 'CN=broker' was valid until 2021-01-01 00:00:00 UTC"), "\(message)")
        }
        let expiredClient = try await factory.issue("old-node", by: tls.authority, validity: expired)
        let log = CapturedLog()
        try await withTLSBroker(tls, log: log) { broker, _, secure in
            _ = try await refusal(client(secure, ca: tls.authority.certificate, identity: expiredClient))
            #expect(try await eventually { broker.stats.tlsHandshakeFailures == 1 })
            #expect(try await eventually { log.text.contains("certificate has expired: 'CN=old-node'") }, "\(log.text)")
            try await expectServes(tls, secure)
        }
    }

    @Test("the broker's certificate must name the host connected to; fallback mode skips verification")
    func hostnameAndFallback() async throws {
        let (tls, factory, _) = try await TLSMaterial.shared.value
        let elsewhere = try await factory.issue("elsewhere", by: tls.authority, alternativeNames: ["DNS:broker.example.com"])
        try await withTLSBroker(tls, certificate: elsewhere) { _, _, secure in
            let message = try await refusal(client(secure, ca: tls.authority.certificate, identity: tls.client))
            #expect(message.contains("hostname mismatch"), "\(message)")
            #expect(message.contains("DNS:broker.example.com, not for 127.0.0.1"), "\(message)")
            // localhost is not in the certificate either.
            let byName = try await refusal(client(secure, host: "localhost", ca: tls.authority.certificate, identity: tls.client))
            #expect(byName.contains("hostname mismatch"), "\(byName)")
        }
        try await withTLSBroker(tls, verifyClients: .none) { _, _, secure in
            // The broker's own certificate names localhost too.
            let byName = client(secure, host: "localhost", ca: tls.authority.certificate, identity: nil)
            try await byName.connect()
            await byName.close()
            // Unverified (MCollective's ssl.fallback): encryption without checking the broker.
            let unverified = client(secure, ca: nil, identity: nil, verification: .unverified)
            try await unverified.connect()
            await unverified.close()
        }
    }

    @Test("a TLS listener without a certificate, or client verification without a CA, is refused at start")
    func startupErrors() async throws {
        var configuration = BrokerConfiguration()
        configuration.listen = [ListenAddress(host: "127.0.0.1", port: 0, tls: true)]
        await #expect(throws: BrokerConfigurationError(line: 0, message: "listen = tls://… needs tls.certificate (the broker's certificate, PEM)")) {
            _ = try await BrokerServer.start(configuration: configuration, group: MultiThreadedEventLoopGroup.singleton)
        }
        configuration.tls = BrokerTLSConfiguration(certificateFile: "/nonexistent/broker.pem", privateKeyFile: "/nonexistent/key.pem")
        do {
            _ = try await BrokerServer.start(configuration: configuration, group: MultiThreadedEventLoopGroup.singleton)
            Issue.record("started with a missing certificate file")
        } catch {
            #expect("\(error)".contains("tls.certificate: cannot read /nonexistent/broker.pem"), "\(error)")
        }
        configuration.tls = BrokerTLSConfiguration(
            certificateFile: "/nonexistent/broker.pem", privateKeyFile: "/nonexistent/key.pem", verifyClients: .required)
        await #expect(throws: BrokerConfigurationError(line: 0, message: "tls.verify_clients = required needs tls.ca (the CA that signs client certificates)")) {
            _ = try await BrokerServer.start(configuration: configuration, group: MultiThreadedEventLoopGroup.singleton)
        }
        var plain = BrokerConfiguration()
        plain.listen = [ListenAddress(host: "127.0.0.1", port: 0)]
        plain.tls.caFile = "/etc/ca.pem"
        await #expect(throws: BrokerConfigurationError.self) {
            _ = try await BrokerServer.start(configuration: plain, group: MultiThreadedEventLoopGroup.singleton)
        }
    }

    @Test("listen = tls://… and the tls.* keys parse; the TLS port defaults to 61614")
    func parsing() throws {
        let configuration = try BrokerConfiguration(parsing: """
            listen = 127.0.0.1:61613
            listen = tls://0.0.0.0
            listen = ssl://[::1]:61700
            tls.certificate = /etc/chorus/broker.pem
            tls.private_key = /etc/chorus/broker-key.pem
            tls.ca = /etc/chorus/ca.pem
            tls.verify_clients = Optional
            """)
        #expect(configuration.listen == [
            ListenAddress(host: "127.0.0.1", port: 61613), ListenAddress(host: "0.0.0.0", port: 61614, tls: true),
            ListenAddress(host: "::1", port: 61700, tls: true),
        ])
        #expect(configuration.listen[2].description == "tls://[::1]:61700")
        #expect(configuration.tls.effectiveClientVerification == .optional)
        #expect(BrokerTLSConfiguration(caFile: "/ca.pem").effectiveClientVerification == .required)
        #expect(BrokerTLSConfiguration().effectiveClientVerification == .none)
        #expect(ListenAddress(parsing: "stomp://127.0.0.1") == ListenAddress(host: "127.0.0.1", port: 61613))
        #expect(ListenAddress(parsing: "http://127.0.0.1:80") == nil)
        #expect(ListenAddress(parsing: "127.0.0.1") == nil)
        #expect(throws: BrokerConfigurationError(line: 1, message: "tls.verify_clients must be none, optional or required, not 'sometimes'")) {
            try BrokerConfiguration(parsing: "tls.verify_clients = sometimes")
        }
    }
}
