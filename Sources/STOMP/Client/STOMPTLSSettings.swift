/// TLS for the connection to one broker: MCollective's `plugin.<connector>.pool.N.ssl`,
/// `.ssl.ca`, `.ssl.cert`, `.ssl.key` and `.ssl.fallback` keys.
///
/// Verified mode checks the broker's certificate chain against the CA file(s) and the
/// certificate's names against the endpoint's host, as the stomp gem does for MCollective
/// (`VERIFY_PEER` plus `post_connection_check(host)`): a DNS host must match a DNS
/// subject alternative name (or the common name when the certificate has none), an IP host an
/// IP address name. A client certificate and key are presented when given. Unverified mode (only
/// with `ssl.fallback`) encrypts without checking who answers and presents no certificate, like
/// the stomp gem's `:ssl => true`.
public struct STOMPTLSSettings: Sendable, Hashable {
    /// Whether the broker's identity is checked.
    public enum Verification: Sendable, Hashable {
        /// Chain against ``caFiles``, names against the endpoint host.
        case verified
        /// Encryption only: MCollective's fallback when the certificate files are not usable.
        case unverified
    }

    public var verification: Verification
    /// PEM files of the CAs trusted to sign the broker's certificate (`ssl.ca`, comma-separated).
    public var caFiles: [String]
    /// The client certificate (PEM, leaf first) and its private key (`ssl.cert`, `ssl.key`).
    public var certificateFile: String?
    public var privateKeyFile: String?
    /// The configuration key these settings came from (`plugin.activemq.pool.1.ssl`), named in
    /// error messages so they say what to change.
    public var keyPrefix: String

    public init(
        verification: Verification = .verified, caFiles: [String] = [], certificateFile: String? = nil,
        privateKeyFile: String? = nil, keyPrefix: String = "ssl"
    ) {
        self.verification = verification
        self.caFiles = caFiles
        self.certificateFile = certificateFile
        self.privateKeyFile = privateKeyFile
        self.keyPrefix = keyPrefix
    }

    /// Settings that encrypt without verifying the broker (MCollective's `ssl.fallback`).
    public static func unverified(keyPrefix: String) -> STOMPTLSSettings {
        STOMPTLSSettings(verification: .unverified, keyPrefix: keyPrefix)
    }

    /// What ``resolve(ca:certificate:privateKey:fallback:keyPrefix:isReadable:)`` decided.
    public struct Resolution: Sendable, Equatable {
        public var settings: STOMPTLSSettings
        /// Set when the connection falls back to unverified TLS: what was wrong, to log as a warning.
        public var warning: String?
    }

    /// Decides verified or unverified TLS from the configuration values, as MCollective's
    /// connectors do in `ssl_parameters`: verified when the CA file(s) and, if given, the
    /// certificate and key are readable; otherwise unverified with a warning when `fallback`
    /// is set, else an error naming the key to fix. Chorus asks for the client certificate only
    /// when the broker wants one (MCollective insists on all three files).
    /// - Parameters:
    ///   - ca: `ssl.ca`, one path or a comma-separated list.
    ///   - isReadable: whether a file can be read (injected so the rules are testable without files).
    public static func resolve(
        ca: String?, certificate: String?, privateKey: String?, fallback: Bool, keyPrefix: String,
        isReadable: (String) -> Bool
    ) throws(STOMPTLSConfigurationError) -> Resolution {
        let caFiles = (ca ?? "").split(separator: ",").map { String($0.drop(while: \.isWhitespace).reversed().drop(while: \.isWhitespace).reversed()) }
            .filter { !$0.isEmpty }
        var problems: [String] = []
        if caFiles.isEmpty {
            problems.append("\(keyPrefix).ca is not set (the PEM file of the CA that signed the broker's certificate)")
        }
        for file in caFiles where !isReadable(file) {
            problems.append("\(keyPrefix).ca: cannot read \(file)")
        }
        switch (certificate, privateKey) {
        case (let cert?, let key?):
            if !isReadable(cert) { problems.append("\(keyPrefix).cert: cannot read \(cert)") }
            if !isReadable(key) { problems.append("\(keyPrefix).key: cannot read \(key)") }
        case (_?, nil):
            problems.append("\(keyPrefix).cert is set without \(keyPrefix).key: set both or neither")
        case (nil, _?):
            problems.append("\(keyPrefix).key is set without \(keyPrefix).cert: set both or neither")
        case (nil, nil):
            break
        }
        if problems.isEmpty {
            let settings = STOMPTLSSettings(
                verification: .verified, caFiles: caFiles, certificateFile: certificate, privateKeyFile: privateKey,
                keyPrefix: keyPrefix)
            return Resolution(settings: settings, warning: nil)
        }
        return try fallingBack(problems.joined(separator: "; "), fallback: fallback, keyPrefix: keyPrefix)
    }

    /// Unverified settings and a warning when `fallback` is set; otherwise the error for `problem`.
    public static func fallingBack(
        _ problem: String, fallback: Bool, keyPrefix: String
    ) throws(STOMPTLSConfigurationError) -> Resolution {
        guard fallback else {
            throw STOMPTLSConfigurationError(
                message: "\(problem). Fix the file settings, or set \(keyPrefix).fallback = 1 to connect with TLS "
                    + "but without verifying the broker (not recommended)")
        }
        return Resolution(
            settings: .unverified(keyPrefix: keyPrefix),
            warning: "cannot use verified TLS (\(problem)); falling back to unverified TLS because "
                + "\(keyPrefix).fallback is set: the broker's identity is NOT checked")
    }
}

/// A TLS setting that cannot be used; the message names the configuration key to change.
public struct STOMPTLSConfigurationError: Error, Sendable, Equatable, CustomStringConvertible {
    public var message: String
    public init(message: String) { self.message = message }
    public var description: String { message }
}
