import Foundation

/// Makes real X.509 material with the `openssl` command line for TLS tests: certificate
/// authorities, certificates they sign (with subject alternative names and chosen validity,
/// expired ones included), all RSA 2048 (what MCollective's stomp gem reads) in PEM files under
/// one directory.
public struct CertificateFactory: Sendable {
    /// A CA: its certificate and key, and the `openssl ca` database that issues under it.
    public struct Authority: Sendable {
        public let name: String
        public let certificate: String
        public let key: String
        let directory: String
    }

    /// A certificate and its private key.
    public struct Identity: Sendable {
        public let certificate: String
        public let key: String

        public init(certificate: String, key: String) {
            self.certificate = certificate
            self.key = key
        }
    }

    public let directory: URL
    public static let openssl = "/usr/bin/openssl"

    public init(directory: URL) throws {
        self.directory = directory
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    /// A self-signed CA named `CN=<name>`, valid for ten years.
    public func authority(_ name: String) async throws -> Authority {
        let slug = Self.slug(name)
        let dir = directory.appendingPathComponent("ca-\(slug)")
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("issued"), withIntermediateDirectories: true)
        try "".write(to: dir.appendingPathComponent("index.txt"), atomically: true, encoding: .utf8)
        try "1000\n".write(to: dir.appendingPathComponent("serial"), atomically: true, encoding: .utf8)
        try """
            [ ca ]
            default_ca = issuing
            [ issuing ]
            database = \(dir.path)/index.txt
            serial = \(dir.path)/serial
            new_certs_dir = \(dir.path)/issued
            default_md = sha256
            policy = any_name
            unique_subject = no
            copy_extensions = none
            [ any_name ]
            commonName = supplied
            [ leaf ]
            basicConstraints = critical, CA:FALSE
            keyUsage = critical, digitalSignature, keyEncipherment
            extendedKeyUsage = serverAuth, clientAuth
            """.write(to: dir.appendingPathComponent("ca.cnf"), atomically: true, encoding: .utf8)
        let certificate = dir.appendingPathComponent("ca.pem").path
        let key = dir.appendingPathComponent("ca-key.pem").path
        try await Self.run([
            "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-sha256", "-days", "3650", "-subj", "/CN=\(name)",
            "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign",
            "-keyout", key, "-out", certificate,
        ])
        return Authority(name: name, certificate: certificate, key: key, directory: dir.path)
    }

    /// A certificate for `CN=<commonName>` signed by `authority`.
    /// - Parameters:
    ///   - alternativeNames: subject alternative names such as `IP:127.0.0.1`, `DNS:localhost`.
    ///   - validity: `nil` = from now for 30 days; otherwise (notBefore, notAfter) as
    ///     `YYYYMMDDHHMMSSZ`, e.g. a window in the past for an expired certificate.
    public func issue(
        _ commonName: String, by authority: Authority, alternativeNames: [String] = [],
        validity: (notBefore: String, notAfter: String)? = nil
    ) async throws -> Identity {
        let slug = Self.slug(commonName) + "-" + Self.slug(authority.name) + "-" + String(UUID().uuidString.prefix(6))
        let key = directory.appendingPathComponent("\(slug)-key.pem").path
        let request = directory.appendingPathComponent("\(slug).csr").path
        let certificate = directory.appendingPathComponent("\(slug).pem").path
        try await Self.run(["req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=\(commonName)", "-keyout", key, "-out", request])
        var extensions = try String(contentsOfFile: authority.directory + "/ca.cnf", encoding: .utf8)
        if !alternativeNames.isEmpty { extensions += "\nsubjectAltName = \(alternativeNames.joined(separator: ", "))\n" }
        let config = directory.appendingPathComponent("\(slug).cnf").path
        try extensions.write(toFile: config, atomically: true, encoding: .utf8)
        var arguments = [
            "ca", "-batch", "-notext", "-config", config, "-cert", authority.certificate, "-keyfile", authority.key,
            "-extensions", "leaf", "-in", request, "-out", certificate,
        ]
        if let validity {
            arguments += ["-startdate", validity.notBefore, "-enddate", validity.notAfter]
        } else {
            arguments += ["-days", "30"]
        }
        // `openssl ca` updates the CA's database and serial file: one issuance at a time.
        let command = arguments
        try await Self.issuing.run { try await Self.run(command) }
        return Identity(certificate: certificate, key: key)
    }

    private static let issuing = SerialQueue()

    static func run(_ arguments: [String]) async throws {
        let result = try await CommandResult.run(executable: openssl, arguments, timeout: 60)
        guard result.status == 0 else {
            throw FleetError("openssl \(arguments.prefix(2).joined(separator: " ")) exited \(result.status): \(result.stderr)")
        }
    }

    private static func slug(_ text: String) -> String {
        String(text.lowercased().map { $0.isLetter || $0.isNumber ? $0 : "-" })
    }
}

/// What a TLS fleet needs: the CA that signs the broker's and the clients' certificates, the
/// broker's certificate for 127.0.0.1 and localhost, and the client certificate shared by the
/// nodes and the client.
public struct FleetTLS: Sendable {
    /// The CA certificate (PEM): the clients' `ssl.ca` and the broker's `tls.ca`.
    public let caCertificate: String
    public let broker: CertificateFactory.Identity
    public let client: CertificateFactory.Identity
    /// `tls.verify_clients` for the fleet's broker.
    public var verifyClients: String

    public init(caCertificate: String, broker: CertificateFactory.Identity, client: CertificateFactory.Identity, verifyClients: String = "required") {
        self.caCertificate = caCertificate
        self.broker = broker
        self.client = client
        self.verifyClients = verifyClients
    }

    /// `chorus broker` configuration lines for a TLS-only listener on `port` (0 = any).
    public func brokerConfig(port: Int) -> [String] {
        [
            "listen = tls://127.0.0.1:\(port)",
            "tls.certificate = \(broker.certificate)",
            "tls.private_key = \(broker.key)",
            "tls.ca = \(caCertificate)",
            "tls.verify_clients = \(verifyClients)",
        ]
    }

    /// MCollective's pool keys for TLS to pool member 1 with `identity` as client certificate.
    public static func poolConfig(
        connector: String, ca: String, identity: CertificateFactory.Identity?, fallback: Bool = false
    ) -> [String] {
        var lines = ["plugin.\(connector).pool.1.ssl = 1", "plugin.\(connector).pool.1.ssl.ca = \(ca)"]
        if let identity {
            lines += ["plugin.\(connector).pool.1.ssl.cert = \(identity.certificate)", "plugin.\(connector).pool.1.ssl.key = \(identity.key)"]
        }
        if fallback { lines.append("plugin.\(connector).pool.1.ssl.fallback = 1") }
        return lines
    }
}

/// A small PKI for TLS tests: one CA with the broker's certificate (127.0.0.1, localhost) and a
/// client certificate, and an unrelated CA with a certificate of its own ("another CA").
public struct TestPKI: Sendable {
    public let factory: CertificateFactory
    public let authority: CertificateFactory.Authority
    public let broker: CertificateFactory.Identity
    public let client: CertificateFactory.Identity
    public let otherAuthority: CertificateFactory.Authority
    /// `CN=intruder`, signed by ``otherAuthority``.
    public let intruder: CertificateFactory.Identity

    /// Makes the material under `directory` (five RSA keys: about a second).
    public static func make(in directory: URL) async throws -> TestPKI {
        let factory = try CertificateFactory(directory: directory)
        let authority = try await factory.authority("Chorus Test CA")
        let broker = try await factory.issue("broker", by: authority, alternativeNames: ["IP:127.0.0.1", "DNS:localhost"])
        let client = try await factory.issue("chorus-client", by: authority)
        let other = try await factory.authority("Another CA")
        let intruder = try await factory.issue("intruder", by: other)
        return TestPKI(factory: factory, authority: authority, broker: broker, client: client, otherAuthority: other, intruder: intruder)
    }

    /// The fleet's view: this CA, the broker's and the client's certificates.
    public func fleet(verifyClients: String = "required") -> FleetTLS {
        FleetTLS(caCertificate: authority.certificate, broker: broker, client: client, verifyClients: verifyClients)
    }
}

/// Runs async jobs one after another, in the order they were submitted.
actor SerialQueue {
    private var last: Task<Void, Never>?

    func run(_ job: @escaping @Sendable () async throws -> Void) async throws {
        let previous = last
        let task = Task {
            await previous?.value
            try await job()
        }
        last = Task { _ = try? await task.value }
        try await task.value
    }
}
