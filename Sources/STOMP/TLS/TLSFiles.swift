import NIOSSL

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Reads the PEM files of a TLS configuration. Every error names the configuration key the
/// file came from, so the message says what to fix.
public enum TLSFiles {
    /// Whether the current user can read `path`.
    public static func isReadable(_ path: String) -> Bool {
        access(path, R_OK) == 0
    }

    /// The certificates in a PEM file (a chain or a CA bundle), at least one.
    /// - Parameter key: the configuration key that named the file.
    public static func certificates(_ path: String, key: String) throws(STOMPTLSConfigurationError) -> [NIOSSLCertificate] {
        guard isReadable(path) else {
            throw STOMPTLSConfigurationError(message: "\(key): cannot read \(path) (\(reason(errno)))")
        }
        let certificates: [NIOSSLCertificate]
        do {
            certificates = try NIOSSLCertificate.fromPEMFile(path)
        } catch {
            throw STOMPTLSConfigurationError(message: "\(key): \(path) is not a PEM certificate file (\(error))")
        }
        guard !certificates.isEmpty else {
            throw STOMPTLSConfigurationError(message: "\(key): \(path) holds no PEM certificate")
        }
        return certificates
    }

    /// The private key in a PEM file (unencrypted).
    /// - Parameter key: the configuration key that named the file.
    public static func privateKey(_ path: String, key: String) throws(STOMPTLSConfigurationError) -> NIOSSLPrivateKey {
        guard isReadable(path) else {
            throw STOMPTLSConfigurationError(message: "\(key): cannot read \(path) (\(reason(errno)))")
        }
        do {
            return try NIOSSLPrivateKey(file: path, format: .pem)
        } catch {
            throw STOMPTLSConfigurationError(
                message: "\(key): \(path) is not an unencrypted PEM private key (\(error))")
        }
    }

    private static func reason(_ code: Int32) -> String {
        String(cString: strerror(code))
    }
}
