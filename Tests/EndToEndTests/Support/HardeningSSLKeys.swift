import ChorusSecurity
import ChorusTestSupport
import Foundation

/// Throw-away RSA keys for an ssl fleet, made by the real `openssl`: the server pair, the
/// client `mcoclient` (trusted: its public key is in the client key directory) and a second
/// trusted client `other`, for requests whose caller id names a key that did not sign them.
struct HardeningSSLKeys {
    let directory: URL

    var fleetKeys: Fleet.SSLKeys {
        Fleet.SSLKeys(
            serverPrivate: path("server-private.pem"), serverPublic: path("server-public.pem"),
            clientPrivate: path("mcoclient-private.pem"), clientPublic: path("clients/mcoclient.pem"),
            clientCertDir: path("clients"))
    }

    func path(_ name: String) -> String { directory.appendingPathComponent(name).path }

    static func generate(in directory: URL) async throws -> HardeningSSLKeys {
        let keys = HardeningSSLKeys(directory: directory)
        try FileManager.default.createDirectory(atPath: keys.path("clients"), withIntermediateDirectories: true)
        for (privateKey, publicKey) in [("server-private.pem", "server-public.pem"), ("mcoclient-private.pem", "clients/mcoclient.pem"),
            ("other-private.pem", "clients/other.pem")]
        {
            for arguments in [["genrsa", "-out", keys.path(privateKey), "2048"], ["rsa", "-in", keys.path(privateKey), "-pubout", "-out", keys.path(publicKey)]] {
                let result = try await CommandResult.run(executable: "/usr/bin/openssl", arguments)
                guard result.status == 0 else { throw FleetError("openssl \(arguments.joined(separator: " ")) failed: \(result.stderr)") }
            }
            chmod(keys.path(privateKey), 0o600)
            chmod(keys.path(publicKey), 0o644)
        }
        return keys
    }

    /// A client provider signing with `mcoclient`'s key, naming itself `callerID`.
    func client(serializer: SSLSerializer, callerID: String = "cert=mcoclient") throws -> SSLSecurityProvider {
        SSLSecurityProvider(
            callerID: callerID, serializer: serializer, signingKey: try SSLPrivateKey.load(path: path("mcoclient-private.pem")).key,
            replyKey: try SSLPublicKey.load(path: path("server-public.pem")), clientKeys: nil)
    }

    /// Every line of base64 key material in the private key files (what must never leak).
    func privateKeyLines() throws -> [String] {
        try ["server-private.pem", "mcoclient-private.pem", "other-private.pem"].flatMap { name in
            try String(contentsOfFile: path(name), encoding: .utf8).split(separator: "\n")
                .filter { !$0.hasPrefix("-----") }.map(String.init)
        }
    }
}
