import ChorusSecurity
import ChorusServer
import Foundation
import _CryptoExtras

/// A node running the ssl security provider with `plugin.ssl_serializer = yaml`, built once per
/// fuzzing process: a throwaway 1024-bit client key pair (the smallest size the node accepts,
/// as MCollective's own instructions generate) whose public half sits in a temporary
/// `ssl_client_cert_dir` as `fuzzclient.pem`, next to the real `mcoclient.pem` of the captured
/// MCollective frames (Tests/Fixtures/frames/rabbitmq_ssl_yaml), so the seed requests verify.
struct SSLNode: Sendable {
    /// The provider, configured as `chorus server` configures it for ssl + yaml, with the node's
    /// default decoding bounds (`AdmissionLimits`).
    let provider: SSLSecurityProvider
    /// Signs bodies as the client `cert=fuzzclient`.
    let clientKey: SSLPrivateKey
    /// The temporary client key directory.
    let keyDirectory: String

    static let clientName = "fuzzclient"

    /// The process's key directory under the temporary directory, removed when it exits.
    static func keyDirectory(of process: pid_t) -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("chorus-fuzz-keys-\(process)").path
    }

    static func make() -> SSLNode {
        do {
            let generated = try _RSA.Signing.PrivateKey(unsafeKeySize: .init(bitCount: 1024))
            let clientKey = try SSLPrivateKey(pem: generated.pemRepresentation)
            let directory = keyDirectory(of: getpid())
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            atexit { try? FileManager.default.removeItem(atPath: SSLNode.keyDirectory(of: getpid())) }
            try clientKey.publicKey.pemRepresentation.write(
                toFile: "\(directory)/\(clientName).pem", atomically: true, encoding: .utf8)
            let fixture = URL(fileURLWithPath: #filePath)
                .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
                .deletingLastPathComponent()
                .appendingPathComponent("Tests/Fixtures/frames/rabbitmq_ssl_yaml/pubkeys/mcoclient.pem").path
            if FileManager.default.fileExists(atPath: fixture) {
                try FileManager.default.copyItem(atPath: fixture, toPath: "\(directory)/mcoclient.pem")
            }
            let provider = SSLSecurityProvider(
                callerID: "cert=server-public", serializer: .yaml, signingKey: clientKey, replyKey: nil,
                clientKeys: SSLClientKeyDirectory(path: directory), limits: AdmissionLimits.default.decoding,
                maxYAMLBytes: AdmissionLimits.default.maxYAMLBytes)
            return SSLNode(provider: provider, clientKey: clientKey, keyDirectory: directory)
        } catch {
            fatalError("cannot set up the fuzzing node's ssl keys: \(error)")
        }
    }
}
