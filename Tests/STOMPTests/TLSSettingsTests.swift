import Testing

@testable import STOMP

/// The pure parts of STOMP over TLS: MCollective's pool.N.ssl* rules, the explanation of a
/// chain that did not verify, and the classification of handshake errors.
@Suite("TLS settings, diagnosis and failure reasons")
struct TLSSettingsTests {
    let prefix = "plugin.activemq.pool.1.ssl"
    let readable: Set<String> = ["/ca.pem", "/ca2.pem", "/node.pem", "/node-key.pem"]

    func resolve(ca: String?, cert: String? = nil, key: String? = nil, fallback: Bool = false) throws(STOMPTLSConfigurationError)
        -> STOMPTLSSettings.Resolution
    {
        try STOMPTLSSettings.resolve(
            ca: ca, certificate: cert, privateKey: key, fallback: fallback, keyPrefix: prefix, isReadable: readable.contains)
    }

    @Test("readable CA (and client certificate) → verified; a comma list of CAs is split")
    func verified() throws {
        let full = try resolve(ca: "/ca.pem", cert: "/node.pem", key: "/node-key.pem")
        #expect(full.warning == nil)
        #expect(full.settings == STOMPTLSSettings(
            verification: .verified, caFiles: ["/ca.pem"], certificateFile: "/node.pem", privateKeyFile: "/node-key.pem",
            keyPrefix: prefix))
        let caOnly = try resolve(ca: " /ca.pem , /ca2.pem ")
        #expect(caOnly.settings.caFiles == ["/ca.pem", "/ca2.pem"])
        #expect(caOnly.settings.certificateFile == nil && caOnly.settings.verification == .verified)
    }

    @Test("missing or unreadable files without fallback: an error naming the key and the fallback")
    func errors() {
        #expect(throws: STOMPTLSConfigurationError.self) { try resolve(ca: nil) }
        do {
            _ = try resolve(ca: "/missing.pem", cert: "/node.pem", key: "/node-key.pem")
            Issue.record("accepted an unreadable CA")
        } catch {
            #expect(error.message.hasPrefix("plugin.activemq.pool.1.ssl.ca: cannot read /missing.pem."))
            #expect(error.message.contains("set plugin.activemq.pool.1.ssl.fallback = 1"))
        }
        do {
            _ = try resolve(ca: "/ca.pem", cert: "/node.pem")
            Issue.record("accepted a certificate without its key")
        } catch {
            #expect(error.message.hasPrefix("plugin.activemq.pool.1.ssl.cert is set without plugin.activemq.pool.1.ssl.key"))
        }
        #expect(throws: STOMPTLSConfigurationError.self) { try resolve(ca: "/ca.pem", key: "/node-key.pem") }
        #expect(throws: STOMPTLSConfigurationError.self) { try resolve(ca: "/ca.pem", cert: "/gone.pem", key: "/node-key.pem") }
    }

    @Test("with ssl.fallback, unusable files give unverified TLS (no client certificate) and a warning")
    func fallback() throws {
        let resolution = try resolve(ca: "/missing.pem", cert: "/node.pem", key: "/node-key.pem", fallback: true)
        #expect(resolution.settings == .unverified(keyPrefix: prefix))
        let warning = try #require(resolution.warning)
        #expect(warning.contains("cannot read /missing.pem"))
        #expect(warning.contains("the broker's identity is NOT checked"))
        // Usable files still verify, fallback or not.
        #expect(try resolve(ca: "/ca.pem", fallback: true).settings.verification == .verified)
    }

    let ca = TLSCertificateSummary(subject: "CN=Chorus CA", issuer: "CN=Chorus CA", notBefore: 0, notAfter: 4_000_000_000)
    let now = 1_800_000_000

    @Test("a chain from another CA, a self-signed certificate, an expired or not yet valid one: OpenSSL's words")
    func diagnosis() {
        let foreign = TLSCertificateSummary(subject: "CN=broker", issuer: "CN=Another CA", notBefore: 0, notAfter: 4_000_000_000)
        #expect(TLSCertificateDiagnosis.verifyFailure(chain: [foreign], trusted: [ca], now: now)
            == "certificate verify failed: unable to get local issuer certificate: 'CN=broker' is issued by 'CN=Another CA', which is not a trusted CA (trusted: 'CN=Chorus CA')")
        let selfSigned = TLSCertificateSummary(subject: "CN=broker", issuer: "CN=broker", notBefore: 0, notAfter: 4_000_000_000)
        #expect(TLSCertificateDiagnosis.verifyFailure(chain: [selfSigned], trusted: [ca], now: now).contains(": self-signed certificate:"))
        let root = TLSCertificateSummary(subject: "CN=Another CA", issuer: "CN=Another CA", notBefore: 0, notAfter: 4_000_000_000)
        #expect(TLSCertificateDiagnosis.verifyFailure(chain: [foreign, root], trusted: [ca], now: now)
            .contains("self-signed certificate in certificate chain"))
        let expired = TLSCertificateSummary(subject: "CN=broker", issuer: "CN=Chorus CA", notBefore: 1_577_836_800, notAfter: 1_609_459_200)
        #expect(TLSCertificateDiagnosis.verifyFailure(chain: [expired], trusted: [ca], now: now)
            == "certificate verify failed: certificate has expired: 'CN=broker' was valid until 2021-01-01 00:00:00 UTC")
        let future = TLSCertificateSummary(subject: "CN=broker", issuer: "CN=Chorus CA", notBefore: 1_900_000_000, notAfter: 2_000_000_000)
        #expect(TLSCertificateDiagnosis.verifyFailure(chain: [future], trusted: [ca], now: now).contains("certificate is not yet valid"))
        let good = TLSCertificateSummary(subject: "CN=broker", issuer: "CN=Chorus CA", notBefore: 0, notAfter: 4_000_000_000)
        #expect(TLSCertificateDiagnosis.verifyFailure(chain: [good], trusted: [ca], now: now).contains("signature or intended use"))
        #expect(TLSCertificateDiagnosis.verifyFailure(chain: [], trusted: [ca], now: now).contains("no certificate"))
    }

    @Test("hostname mismatch lists the names the certificate holds")
    func hostname() {
        let leaf = TLSCertificateSummary(
            subject: "CN=broker", issuer: "CN=Chorus CA", notBefore: 0, notAfter: 1, alternativeNames: ["DNS:mq.example.com", "IP:10.0.0.1"])
        #expect(TLSCertificateDiagnosis.hostnameMismatch(leaf: leaf, host: "127.0.0.1")
            == "certificate verify failed: hostname mismatch: the certificate 'CN=broker' is valid for DNS:mq.example.com, IP:10.0.0.1, not for 127.0.0.1")
    }

    @Test("UTC dates without Foundation")
    func utc() {
        #expect(TLSCertificateDiagnosis.utc(0) == "1970-01-01 00:00:00 UTC")
        #expect(TLSCertificateDiagnosis.utc(951_782_400) == "2000-02-29 00:00:00 UTC")
        #expect(TLSCertificateDiagnosis.utc(1_609_459_199) == "2020-12-31 23:59:59 UTC")
        #expect(TLSCertificateDiagnosis.utc(-1) == "1969-12-31 23:59:59 UTC")
    }

    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    @Test("handshake errors are classified from BoringSSL's reason codes and the peer's alerts")
    func classification() {
        func classify(_ text: String) -> TLSFailure { TLSFailure.classify(Failure(description: text)) }
        #expect(classify("handshakeFailed(sslError([Error: 268435581 error:1000007d:SSL routines:OPENSSL_internal:CERTIFICATE_VERIFY_FAILED]))") == .certificateVerifyFailed)
        #expect(classify("NIOSSLExtraError.failedToValidateHostname: Couldn't find <none> in certificate from peer") == .hostnameMismatch)
        #expect(classify("error:10000418:SSL routines:OPENSSL_internal:TLSV1_ALERT_UNKNOWN_CA") == .peerRefusedOurCertificate(alert: "unknown CA"))
        #expect(classify("error:100000c7:SSL routines:OPENSSL_internal:PEER_DID_NOT_RETURN_A_CERTIFICATE") == .clientSentNoCertificate)
        #expect(classify("SSL routines:OPENSSL_internal:TLSV1_ALERT_CERTIFICATE_REQUIRED") == .peerRequiresCertificate)
        #expect(classify("error:1000006b:SSL routines:OPENSSL_internal:WRONG_VERSION_NUMBER") == .notTLS)
        #expect(classify("EOF during handshake") == .closedDuringHandshake)
        #expect(classify("something else") == .other("something else"))
        #expect(TLSFailure.notTLS.reason.contains("plaintext port"))
    }
}
