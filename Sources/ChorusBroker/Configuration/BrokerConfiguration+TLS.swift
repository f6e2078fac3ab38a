import NIOSSL
import STOMP

/// The broker's TLS settings: its certificate and key for `tls://` listeners, and whether and
/// how client certificates are checked.
///
/// ```
/// listen = tls://0.0.0.0:61614
/// tls.certificate = /etc/chorus/broker.pem      # PEM, leaf first, intermediates after
/// tls.private_key = /etc/chorus/broker-key.pem  # unencrypted PEM
/// tls.ca = /etc/chorus/ca.pem                   # CAs that sign client certificates
/// tls.verify_clients = required                 # none | optional | required
/// ```
public struct BrokerTLSConfiguration: Sendable, Equatable {
    /// How client certificates are treated.
    public enum ClientVerification: String, Sendable, Equatable, CaseIterable {
        /// Not asked for.
        case none
        /// Asked for; a client without one is accepted, a certificate that does not verify is refused.
        case optional
        /// Every client must present a certificate that verifies against `tls.ca`.
        case required
    }

    /// `tls.certificate`: the broker's certificate chain (PEM).
    public var certificateFile: String?
    /// `tls.private_key`: its private key (PEM).
    public var privateKeyFile: String?
    /// `tls.ca`: the CA certificates client certificates must chain to (PEM, one or more).
    public var caFile: String?
    /// `tls.verify_clients`; when not set: `required` with `tls.ca`, `none` without.
    public var verifyClients: ClientVerification?

    public init(
        certificateFile: String? = nil, privateKeyFile: String? = nil, caFile: String? = nil,
        verifyClients: ClientVerification? = nil
    ) {
        self.certificateFile = certificateFile
        self.privateKeyFile = privateKeyFile
        self.caFile = caFile
        self.verifyClients = verifyClients
    }

    /// The client verification in force.
    public var effectiveClientVerification: ClientVerification {
        verifyClients ?? (caFile == nil ? .none : .required)
    }

    /// Whether any `tls.*` key was given.
    public var isConfigured: Bool {
        certificateFile != nil || privateKeyFile != nil || caFile != nil || verifyClients != nil
    }
}

extension BrokerConfiguration {
    /// Whether any listener speaks TLS.
    public var hasTLSListener: Bool { listen.contains(where: \.tls) }

    /// Checks the `tls.*` keys against the listeners and loads the files: the server context for
    /// the `tls://` listeners, `nil` when there are none. Every error names the key to fix.
    public func makeTLSContext() throws(BrokerConfigurationError) -> NIOSSLContext? {
        guard hasTLSListener else {
            if tls.isConfigured {
                throw BrokerConfigurationError(
                    line: 0, message: "tls.* keys are set but no listener uses TLS: add listen = tls://HOST:61614 (or remove the tls.* lines)")
            }
            return nil
        }
        func missing(_ key: String, _ what: String) -> BrokerConfigurationError {
            BrokerConfigurationError(line: 0, message: "listen = tls://… needs \(key) (\(what))")
        }
        guard let certificateFile = tls.certificateFile else { throw missing("tls.certificate", "the broker's certificate, PEM") }
        guard let privateKeyFile = tls.privateKeyFile else { throw missing("tls.private_key", "its private key, PEM") }
        let verification = tls.effectiveClientVerification
        if verification != .none && tls.caFile == nil {
            throw BrokerConfigurationError(
                line: 0, message: "tls.verify_clients = \(verification.rawValue) needs tls.ca (the CA that signs client certificates)")
        }
        do throws(STOMPTLSConfigurationError) {
            let chain = try TLSFiles.certificates(certificateFile, key: "tls.certificate")
            let key = try TLSFiles.privateKey(privateKeyFile, key: "tls.private_key")
            var configuration = TLSConfiguration.makeServerConfiguration(
                certificateChain: chain.map { .certificate($0) }, privateKey: .privateKey(key))
            configuration.minimumTLSVersion = .tlsv12
            switch verification {
            case .none: configuration.certificateVerification = .none
            case .optional: configuration.certificateVerification = .optionalVerification
            case .required: configuration.certificateVerification = .noHostnameVerification
            }
            if let caFile = tls.caFile {
                configuration.trustRoots = .certificates(try TLSFiles.certificates(caFile, key: "tls.ca"))
                configuration.sendCANameList = true
            }
            do {
                return try NIOSSLContext(configuration: configuration)
            } catch {
                throw STOMPTLSConfigurationError(
                    message: "cannot set up TLS with tls.certificate = \(certificateFile) and tls.private_key = \(privateKeyFile) (\(error)); is the key the certificate's?")
            }
        } catch {
            throw BrokerConfigurationError(line: 0, message: error.message)
        }
    }

    /// The client certificate CAs, summarised for explaining refusals.
    func trustedClientCASummaries() -> [TLSCertificateSummary] {
        guard let caFile = tls.caFile, let certificates = try? TLSFiles.certificates(caFile, key: "tls.ca") else { return [] }
        return certificates.map(TLSCertificateSummary.init)
    }
}
