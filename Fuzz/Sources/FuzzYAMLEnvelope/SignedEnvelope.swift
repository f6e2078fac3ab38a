import ChorusCore
import ChorusSecurity
import Foundation
import RubyMarshal

/// A yaml-serialised ssl request envelope around an arbitrary body, signed correctly by
/// `cert=fuzzclient`, so the node gets past signature verification and decodes the body.
enum SignedEnvelope {
    static let ttl = 60
    static let messageTime = 1_795_542_658

    static func bytes(body: [UInt8], signedBy key: SSLPrivateKey) throws -> [UInt8] {
        let signature = try key.signature(for: body)
        // A body that is not UTF-8, or holds U+FEFF (which the YAML loader strips from the start
        // of a scalar, a documented deviation), travels as !binary, exactly.
        let bodyValue: RubyValue
        if let text = String(validating: body, as: UTF8.self), !text.unicodeScalars.contains("\u{FEFF}") {
            bodyValue = .str(text)
        } else {
            bodyValue = .binary(body)
        }
        let envelope = RubyHash(symbolKeys: [
            "body": bodyValue,
            "senderid": .str("fuzz-client"),
            "requestid": .str("4c1d2e3f4a5b6c7d8e9f0a1b2c3d4e5f"),
            "filter": Filter.empty.rubyValue,
            "collective": .str("mcollective"),
            "agent": .str("rpcutil"),
            "callerid": .str("cert=\(SSLNode.clientName)"),
            "ttl": .int(ttl),
            "msgtime": .int(messageTime),
            "hash": .str(Data(signature).base64EncodedString()),
        ])
        return try RubyYAML.dump(.hash(envelope))
    }
}
