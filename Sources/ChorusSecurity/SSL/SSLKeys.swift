import Crypto
import _CryptoExtras

/// An RSA private key from a PEM file (PKCS#1 `RSA PRIVATE KEY` or PKCS#8 `PRIVATE KEY`),
/// signing as MCollective's ssl plugin does: PKCS#1 v1.5 over SHA-1.
public struct SSLPrivateKey: Sendable {
    let key: _RSA.Signing.PrivateKey

    /// Reads the first private key block of `pem`. Keys of 1024 bits and more are accepted
    /// (MCollective's own instructions generate 1024-bit keys).
    public init(pem: String) throws(SecurityError) {
        guard let block = PEMBlock.blocks(in: pem).first(where: { $0.label.hasSuffix("PRIVATE KEY") }) else {
            throw .unreadableKey(path: "", reason: "no PEM private key block")
        }
        guard !block.isEncrypted else {
            throw .unreadableKey(path: "", reason: "the private key is encrypted; Chorus needs it unencrypted")
        }
        do {
            key = try _RSA.Signing.PrivateKey(unsafePEMRepresentation: block.text)
        } catch {
            throw .unreadableKey(path: "", reason: "not an RSA private key of at least 1024 bits")
        }
    }

    /// Loads a key file; `warnings` says when the file can be read by group or others.
    public static func load(path: String) throws(SecurityError) -> (key: SSLPrivateKey, warnings: [String]) {
        let contents: KeyFile.Contents
        do {
            contents = try KeyFile.contents(of: path)
        } catch {
            throw error.securityError(path: path)
        }
        let key: SSLPrivateKey
        do {
            key = try SSLPrivateKey(pem: contents.text)
        } catch {
            throw error.locating(path)
        }
        var warnings: [String] = []
        if contents.permissions & 0o044 != 0 {
            let mode = String(contents.permissions, radix: 8)
            warnings.append("private key \(path) is readable by group or others (mode \(mode)); restrict it with chmod 600")
        }
        return (key, warnings)
    }

    /// The raw RSA signature (PKCS#1 v1.5, SHA-1) of `bytes`, as `OpenSSL::PKey::RSA#sign(SHA1, bytes)`.
    public func signature(for bytes: [UInt8]) throws(SecurityError) -> [UInt8] {
        do {
            let signature = try key.signature(for: Insecure.SHA1.hash(data: bytes), padding: .insecurePKCS1v1_5)
            return Array(signature.rawRepresentation)
        } catch {
            throw .misconfigured("RSA signing failed")
        }
    }

    /// The matching public key.
    public var publicKey: SSLPublicKey { SSLPublicKey(key: key.publicKey) }
}

/// An RSA public key from a PEM file: `PUBLIC KEY` (SPKI), `RSA PUBLIC KEY` (PKCS#1), the key
/// of a `CERTIFICATE`, or the public half of a private key file (as Ruby's OpenSSL reads them).
public struct SSLPublicKey: Sendable {
    let key: _RSA.Signing.PublicKey

    init(key: _RSA.Signing.PublicKey) { self.key = key }

    public init(pem: String) throws(SecurityError) {
        let blocks = PEMBlock.blocks(in: pem)
        for block in blocks {
            switch block.label {
            case "PUBLIC KEY", "RSA PUBLIC KEY":
                key = try Self.rsaKey(der: block.der)
                return
            case "CERTIFICATE":
                guard let spki = DERReader.subjectPublicKeyInfo(ofCertificate: block.der) else {
                    throw .unreadableKey(path: "", reason: "the certificate could not be read")
                }
                key = try Self.rsaKey(der: spki)
                return
            case "RSA PRIVATE KEY", "PRIVATE KEY":
                key = try SSLPrivateKey(pem: block.text).key.publicKey
                return
            default:
                continue
            }
        }
        throw .unreadableKey(path: "", reason: "no PEM public key, certificate or RSA key block")
    }

    private static func rsaKey(der: [UInt8]) throws(SecurityError) -> _RSA.Signing.PublicKey {
        do {
            return try _RSA.Signing.PublicKey(unsafeDERRepresentation: der)
        } catch {
            throw .unreadableKey(path: "", reason: "not an RSA public key of at least 1024 bits")
        }
    }

    public static func load(path: String) throws(SecurityError) -> SSLPublicKey {
        let contents: KeyFile.Contents
        do {
            contents = try KeyFile.contents(of: path)
        } catch {
            throw error.securityError(path: path)
        }
        do {
            return try SSLPublicKey(pem: contents.text)
        } catch {
            throw error.locating(path)
        }
    }

    /// Whether `signature` is this key's PKCS#1 v1.5 SHA-1 signature of `bytes`.
    public func isValidSignature(_ signature: [UInt8], for bytes: [UInt8]) -> Bool {
        guard !signature.isEmpty else { return false }
        return key.isValidSignature(
            _RSA.Signing.RSASignature(rawRepresentation: signature), for: Insecure.SHA1.hash(data: bytes),
            padding: .insecurePKCS1v1_5)
    }

    /// The SubjectPublicKeyInfo PEM (`-----BEGIN PUBLIC KEY-----`).
    public var pemRepresentation: String { key.pemRepresentation }
}

extension SecurityError {
    /// An `unreadableKey` error without a path, given `path`; other errors unchanged.
    func locating(_ path: String) -> SecurityError {
        if case .unreadableKey(let known, let reason) = self, known.isEmpty { return .unreadableKey(path: path, reason: reason) }
        return self
    }
}
