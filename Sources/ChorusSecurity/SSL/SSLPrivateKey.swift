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

    /// Loads a key file; `warnings` says when the file can be read by group or others. A file
    /// any user can write is refused.
    public static func load(path: String) throws(SecurityError) -> (key: SSLPrivateKey, warnings: [String]) {
        let contents: KeyFile.Contents
        do {
            contents = try KeyFile.contents(of: path)
        } catch {
            throw error.securityError(path: path)
        }
        _ = try contents.refusingWorldWritable(path: path)
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
