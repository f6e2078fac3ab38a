import ChorusCore
import RubyMarshal

/// Encodes and signs outgoing messages, decodes and verifies incoming ones
/// (MCollective's security plugin type). Implementations are pure: bytes in, values out.
public protocol SecurityProvider: Sendable {
    /// The plugin name as in `securityprovider = …`.
    var name: String { get }
    /// The caller id this side stamps on requests (`uid=0`, `cert=name`).
    var callerID: String { get }
    /// Serialises and signs a request; returns the STOMP message body.
    func encodeRequest(_ request: Request) throws(SecurityError) -> [UInt8]
    /// Decodes and verifies a request received by a node.
    func decodeRequest(_ bytes: [UInt8]) throws(SecurityError) -> Request
    /// Serialises and signs a node's reply.
    func encodeReply(_ reply: Reply) throws(SecurityError) -> [UInt8]
    /// Decodes and verifies a reply received by a client.
    func decodeReply(_ bytes: [UInt8]) throws(SecurityError) -> Reply
}

/// Why a message was rejected. Each case maps to a counter in `daemon_stats`.
public enum SecurityError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Not a Marshal document, or not the envelope shape expected.
    case malformed(String)
    /// The hash or signature does not match the body.
    case invalidSignature
    /// The caller id does not have the `kind=value` shape MCollective requires.
    case invalidCallerID(String)
    /// A provider cannot be configured (e.g. no PSK set).
    case misconfigured(String)
    /// The caller id names a certificate this node has no public key for (ssl:
    /// `<plugin.ssl_client_cert_dir>/<name>.pem` is missing, or the name is not a safe file name).
    case unknownCaller(String)
    /// A signed property disagrees with its unsigned copy (ssl: `:ssl_ttl`/`:ssl_msgtime`
    /// against `:ttl`/`:msgtime`), or the signed body lacks it.
    case tampered(String)
    /// A key file cannot be read or is not a usable RSA key (the path, never the key material).
    case unreadableKey(path: String, reason: String)

    public var description: String {
        switch self {
        case .malformed(let why): return "could not decode message: \(why)"
        case .invalidSignature: return "Received an invalid signature in message"
        case .invalidCallerID(let id): return "Invalid callerid '\(id)' in request"
        case .misconfigured(let why): return "security provider misconfigured: \(why)"
        case .unknownCaller(let why): return "unknown caller: \(why)"
        case .tampered(let why): return "\(why) - possible tampering"
        case .unreadableKey(let path, let reason):
            return path.isEmpty ? "unusable key: \(reason)" : "cannot use key \(path): \(reason)"
        }
    }
}

extension SecurityProvider {
    /// MCollective's `valid_callerid?`: `/^[\w]+=[\w\.\-]+$/`.
    /// Checked on the UTF-8 bytes: every accepted character is ASCII, so any other byte fails.
    public static func isValidCallerID(_ id: String) -> Bool {
        if let verdict = id.utf8.withContiguousStorageIfAvailable(isValidCallerID) { return verdict }
        return Array(id.utf8).withUnsafeBufferPointer(isValidCallerID)
    }

    private static func isValidCallerID(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        guard let equals = bytes.firstIndex(of: UInt8(ascii: "=")), equals > 0, equals < bytes.count - 1 else { return false }
        for byte in bytes[..<equals] where !isWordByte(byte) { return false }
        for byte in bytes[(equals + 1)...] where !(isWordByte(byte) || byte == UInt8(ascii: ".") || byte == UInt8(ascii: "-")) {
            return false
        }
        return true
    }

    /// Ruby's `\w` on ASCII: letters, digits, underscore.
    private static func isWordByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
            UInt8(ascii: "_"):
            return true
        default:
            return false
        }
    }
}
