import Crypto
import _CryptoExtras

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

    /// Builds the key from its modulus and exponent, read by `DERReader`.
    ///
    /// Not `_RSA.Signing.PublicKey(unsafeDERRepresentation:)`: in swift-crypto 3.12 that
    /// initialiser frees its BoringSSL key twice when the DER is neither SPKI nor PKCS#1 (the
    /// error path frees it, then `deinit` frees it again), which corrupted the heap and now and
    /// then aborted the process. Parsing the DER here first means malformed keys never reach it.
    private static func rsaKey(der: [UInt8]) throws(SecurityError) -> _RSA.Signing.PublicKey {
        let unreadable = SecurityError.unreadableKey(path: "", reason: "not an RSA public key of at least 1024 bits")
        guard let parameters = DERReader.rsaPublicKeyParameters(der) else { throw unreadable }
        let key: _RSA.Signing.PublicKey
        do {
            key = try _RSA.Signing.PublicKey(n: parameters.modulus, e: parameters.exponent)
        } catch {
            throw unreadable
        }
        guard key.keySizeInBits >= 1024 else { throw unreadable }
        return key
    }

    /// Loads a public key file (PEM); a file any user can write is refused.
    public static func load(path: String) throws(SecurityError) -> SSLPublicKey {
        let contents: KeyFile.Contents
        do {
            contents = try KeyFile.contents(of: path)
        } catch {
            throw error.securityError(path: path)
        }
        _ = try contents.refusingWorldWritable(path: path)
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
