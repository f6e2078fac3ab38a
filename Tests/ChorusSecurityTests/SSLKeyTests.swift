import ChorusSecurity
import Foundation
import Testing

@Suite("ssl key files", .enabled(if: Subprocess.openssl != nil))
struct SSLKeyTests {
    static func openssl(_ arguments: [String]) throws {
        #expect(try Subprocess.run(try #require(Subprocess.openssl), arguments).status == 0)
    }

    @Test("PKCS#1 and PKCS#8 private keys, SPKI, PKCS#1 and certificate public keys all load and agree")
    func formats() throws {
        let directory = try TemporaryDirectory()
        let pkcs1 = directory.path("key-pkcs1.pem")
        let pkcs8 = directory.path("key-pkcs8.pem")
        try Self.openssl(["genrsa", "-traditional", "-out", pkcs1, "2048"])
        try Self.openssl(["pkcs8", "-topk8", "-nocrypt", "-in", pkcs1, "-out", pkcs8])
        try Self.openssl(["rsa", "-in", pkcs1, "-pubout", "-out", directory.path("spki.pem")])
        try Self.openssl(["rsa", "-in", pkcs1, "-RSAPublicKey_out", "-out", directory.path("rsapub.pem")])
        try Self.openssl(["req", "-new", "-x509", "-key", pkcs1, "-subj", "/CN=mcollective", "-days", "2", "-out", directory.path("cert.pem")])
        #expect(try String(contentsOfFile: pkcs1, encoding: .utf8).contains("BEGIN RSA PRIVATE KEY"))
        #expect(try String(contentsOfFile: pkcs8, encoding: .utf8).contains("BEGIN PRIVATE KEY"))

        let message = Array("signed bytes".utf8)
        let fromPKCS1 = try SSLPrivateKey.load(path: pkcs1).key
        let fromPKCS8 = try SSLPrivateKey.load(path: pkcs8).key
        let signature = try fromPKCS1.signature(for: message)
        // PKCS#1 v1.5 is deterministic: both encodings of the key sign identically.
        #expect(try fromPKCS8.signature(for: message) == signature)
        for name in ["spki.pem", "rsapub.pem", "cert.pem", "key-pkcs1.pem"] {
            let key = try SSLPublicKey.load(path: directory.path(name))
            #expect(key.isValidSignature(signature, for: message), "\(name)")
            #expect(!key.isValidSignature(signature, for: Array("other bytes".utf8)), "\(name)")
        }
    }

    @Test("mangled public keys are refused cleanly: every truncation and byte flip of a real key, and a 512-bit key")
    func mangledPublicKeys() throws {
        // swift-crypto 3.12's DER initialiser double-freed on keys neither SPKI nor PKCS#1 parses;
        // Chorus reads the DER itself first, so none of these may crash or load a wrong key.
        let directory = try TemporaryDirectory()
        try Self.openssl(["genrsa", "-traditional", "-out", directory.path("k.pem"), "1024"])
        try Self.openssl(["rsa", "-in", directory.path("k.pem"), "-pubout", "-outform", "DER", "-out", directory.path("spki.der")])
        try Self.openssl(["genrsa", "-traditional", "-out", directory.path("small.pem"), "512"])
        try Self.openssl(["rsa", "-in", directory.path("small.pem"), "-pubout", "-out", directory.path("small-pub.pem")])
        let der = try [UInt8](Data(contentsOf: URL(fileURLWithPath: directory.path("spki.der"))))
        func pem(_ bytes: [UInt8]) -> String {
            "-----BEGIN PUBLIC KEY-----\n\(Data(bytes).base64EncodedString(options: .lineLength64Characters))\n-----END PUBLIC KEY-----\n"
        }
        #expect(throws: Never.self) { try SSLPublicKey(pem: pem(der)) }
        var refused = 0
        for length in stride(from: 0, to: der.count, by: 3) {
            do { _ = try SSLPublicKey(pem: pem(Array(der.prefix(length)))) } catch { refused += 1 }
        }
        #expect(refused == (der.count + 2) / 3, "every truncated key is refused")
        for index in 0..<min(der.count, 40) {
            var mangled = der
            mangled[index] ^= 0xFF
            _ = try? SSLPublicKey(pem: pem(mangled))  // refused or (a flipped modulus byte) a different key; never a crash
        }
        #expect(throws: SecurityError.self) { try SSLPublicKey.load(path: directory.path("small-pub.pem")) }
    }

    @Test("a private key readable by others loads with a warning that names the file, not the key")
    func permissions() throws {
        let directory = try TemporaryDirectory()
        let path = directory.path("loose.pem")
        try Self.openssl(["genrsa", "-out", path, "2048"])
        chmod(path, 0o644)
        let loose = try SSLPrivateKey.load(path: path)
        #expect(loose.warnings.count == 1)
        #expect(loose.warnings.first?.contains(path) == true)
        #expect(loose.warnings.first?.contains("644") == true)
        let material = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n")[1]
        #expect(loose.warnings.first?.contains(material) == false)
        chmod(path, 0o600)
        #expect(try SSLPrivateKey.load(path: path).warnings.isEmpty)
    }

    @Test("missing, empty, encrypted, non-key and non-regular files are unreadable keys")
    func unreadable() throws {
        let directory = try TemporaryDirectory()
        let encrypted = directory.path("encrypted.pem")
        try Self.openssl(["genrsa", "-aes256", "-passout", "pass:secret", "-out", encrypted, "2048"])
        try Data().write(to: URL(fileURLWithPath: directory.path("empty.pem")))
        try Data("just text\n".utf8).write(to: URL(fileURLWithPath: directory.path("text.pem")))
        try Data("-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n".utf8).write(to: URL(fileURLWithPath: directory.path("bad.pem")))
        for name in ["missing.pem", "empty.pem", "encrypted.pem", "text.pem", "bad.pem", ""] {
            let path = directory.path(name)
            #expect {
                _ = try SSLPrivateKey.load(path: path)
            } throws: { error in
                guard case SecurityError.unreadableKey(let reported, _) = error else { return false }
                return reported == path
            }
        }
        for name in ["missing.pem", "empty.pem", "text.pem", "bad.pem", ""] {
            #expect(throws: SecurityError.self) { try SSLPublicKey.load(path: directory.path(name)) }
        }
        let error = try #require(throws: SecurityError.self) { try SSLPrivateKey.load(path: encrypted) }
        #expect("\(error)".contains("encrypted"))
    }
}
