/// The client public keys a node trusts (`plugin.ssl_client_cert_dir`): a request with
/// caller id `cert=<name>` is verified with `<directory>/<name>.pem`, read when the request
/// arrives (as MCollective does, so keys can be added without a restart).
public struct SSLClientKeyDirectory: Sendable {
    public let path: String

    public init(path: String) {
        self.path = path
    }

    /// The certificate name in a caller id: `cert=<name>` with `name` made of word
    /// characters, `.` and `-` (ssl.rb `cert=([\w\.\-]+)`), never `..` or a leading `.`,
    /// so the name cannot leave the directory.
    public static func certificateName(callerID: String) throws(SecurityError) -> String {
        guard callerID.hasPrefix("cert=") else { throw .invalidCallerID(callerID) }
        let name = callerID.dropFirst(5)
        let valid = !name.isEmpty && name.utf8.count <= 200
            && name.unicodeScalars.allSatisfy { scalar in
                scalar.isASCII && (scalar.properties.isAlphabetic || ("0"..."9").contains(scalar) || "_.-".unicodeScalars.contains(scalar))
            }
        guard valid else { throw .invalidCallerID(callerID) }
        guard !name.contains(".."), !name.hasPrefix(".") else { throw .unknownCaller("'\(name)' is not a usable certificate name") }
        return String(name)
    }

    /// The public key for a caller id.
    public func publicKey(callerID: String) throws(SecurityError) -> SSLPublicKey {
        let name = try Self.certificateName(callerID: callerID)
        let file = path.hasSuffix("/") ? "\(path)\(name).pem" : "\(path)/\(name).pem"
        let contents: KeyFile.Contents
        do {
            contents = try KeyFile.contents(of: file)
        } catch .missing {
            throw .unknownCaller("no public key for \(callerID) in \(file)")
        } catch {
            throw error.securityError(path: file)
        }
        _ = try contents.refusingWorldWritable(path: file)
        do {
            return try SSLPublicKey(pem: contents.text)
        } catch {
            throw error.locating(file)
        }
    }
}
