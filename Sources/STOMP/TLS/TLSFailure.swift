/// Why a TLS handshake failed, read from the error SwiftNIO SSL raised (BoringSSL's reason
/// codes and the alerts the peer sent), in words an operator can act on.
public enum TLSFailure: Sendable, Equatable {
    /// Our verification of the peer's chain failed (details need the chain: ``TLSCertificateDiagnosis``).
    case certificateVerifyFailed
    /// The peer's certificate does not name the host we connected to.
    case hostnameMismatch
    /// The peer does not speak TLS (a plaintext port, or another protocol).
    case notTLS
    /// The peer refused the certificate we presented; `alert` is its reason.
    case peerRefusedOurCertificate(alert: String)
    /// The peer wanted a certificate and we sent none.
    case peerRequiresCertificate
    /// (Server side) the client sent no certificate although one is required.
    case clientSentNoCertificate
    /// No protocol version or cipher suite in common.
    case noCommonProtocol
    /// The connection closed in the middle of the handshake.
    case closedDuringHandshake
    /// Anything else, with the library's text.
    case other(String)

    /// Classifies an error from the TLS handler.
    public static func classify(_ error: any Error) -> TLSFailure {
        let text = String(describing: error)
        func has(_ words: String...) -> Bool { words.contains { text.contains($0) } }
        if has("CERTIFICATE_VERIFY_FAILED") { return .certificateVerifyFailed }
        if has("failedToValidateHostname") { return .hostnameMismatch }
        if has("PEER_DID_NOT_RETURN_A_CERTIFICATE") { return .clientSentNoCertificate }
        if has("ALERT_CERTIFICATE_REQUIRED") { return .peerRequiresCertificate }
        if has("ALERT_UNKNOWN_CA") { return .peerRefusedOurCertificate(alert: "unknown CA") }
        if has("ALERT_CERTIFICATE_EXPIRED") { return .peerRefusedOurCertificate(alert: "certificate expired") }
        if has("ALERT_CERTIFICATE_REVOKED") { return .peerRefusedOurCertificate(alert: "certificate revoked") }
        if has("ALERT_BAD_CERTIFICATE") { return .peerRefusedOurCertificate(alert: "bad certificate") }
        if has("ALERT_UNSUPPORTED_CERTIFICATE") { return .peerRefusedOurCertificate(alert: "unsupported certificate") }
        if has("ALERT_DECRYPT_ERROR") { return .peerRefusedOurCertificate(alert: "decrypt error: the key does not match the certificate?") }
        if has("WRONG_VERSION_NUMBER", "HTTP_REQUEST", "UNKNOWN_PROTOCOL", "PACKET_LENGTH_TOO_LONG", "RECORD_TOO_LARGE",
            "WRONG_SSL_VERSION", "UNEXPECTED_RECORD", "ENCRYPTED_LENGTH_TOO_LONG")
        {
            return .notTLS
        }
        if has("NO_SHARED_CIPHER", "UNSUPPORTED_PROTOCOL", "ALERT_PROTOCOL_VERSION", "ALERT_HANDSHAKE_FAILURE", "NO_CIPHERS_AVAILABLE") {
            return .noCommonProtocol
        }
        if has("EOF during handshake", "uncleanShutdown", "eofDuringHandshake") { return .closedDuringHandshake }
        return .other(text)
    }

    /// A short reason, in OpenSSL's words where it has some.
    public var reason: String {
        switch self {
        case .certificateVerifyFailed: return "certificate verify failed"
        case .hostnameMismatch: return "certificate verify failed: hostname mismatch"
        case .notTLS: return "the peer does not speak TLS (wrong version number): a plaintext port?"
        case .peerRefusedOurCertificate(let alert): return "the peer refused our certificate (alert: \(alert))"
        case .peerRequiresCertificate: return "the peer requires a client certificate and none was sent (alert: certificate required)"
        case .clientSentNoCertificate: return "the client sent no certificate, but one is required (peer did not return a certificate)"
        case .noCommonProtocol: return "no TLS version or cipher suite in common"
        case .closedDuringHandshake: return "the connection closed during the TLS handshake"
        case .other(let text): return text
        }
    }
}
