#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import ChorusCore
import Crypto
import RubyMarshal

/// MCollective's `psk` security provider (security/psk.rb): the `:hash` is the MD5 hex
/// digest of the exact `:body` bytes followed by the pre-shared key. Only the body is
/// authenticated; filter, ttl, msgtime and caller id travel unprotected (see docs/SECURITY.md).
public struct PSKSecurityProvider: SecurityProvider {
    /// How the caller id is derived (`plugin.psk.callertype`): `uid`, `gid`, `user`, `group` or `identity`.
    public enum CallerType: String, Sendable {
        case uid, gid, user, group, identity
    }

    public let name = "psk"
    public let callerID: String
    private let key: [UInt8]
    private let limits: MarshalLimits

    public init(psk: String, callerID: String, limits: MarshalLimits = .default) throws(SecurityError) {
        guard !psk.isEmpty else {
            throw .misconfigured("no pre-shared key: set plugin.psk in the configuration or MCOLLECTIVE_PSK in the environment")
        }
        self.key = Array(psk.utf8)
        self.callerID = callerID
        self.limits = limits
    }

    /// `md5(body + psk)` as 32 lowercase hex characters.
    public func digest(_ body: [UInt8]) -> String {
        String(decoding: digestBytes(body), as: UTF8.self)
    }

    /// `digest(_:)` as ASCII bytes.
    private func digestBytes(_ body: [UInt8]) -> [UInt8] {
        var md5 = Insecure.MD5()
        md5.update(data: body)
        md5.update(data: key)
        return Digests.hexBytes(md5.finalize())
    }

    public func encodeRequest(_ request: Request) throws(SecurityError) -> [UInt8] {
        let body = RubyMarshal.encode(request.body)
        return RubyMarshal.encode(Envelope.request(request, body: body, hash: .ascii(digest(body))))
    }

    public func decodeRequest(_ bytes: [UInt8]) throws(SecurityError) -> Request {
        let envelope = try Envelope.decode(bytes, limits: limits)
        let body = try Envelope.bytes(envelope, "body")
        try verify(body, envelope)
        let callerID = try Envelope.string(envelope, "callerid")
        guard Self.isValidCallerID(callerID) else { throw .invalidCallerID(callerID) }
        return Request(
            requestID: try Envelope.string(envelope, "requestid"),
            senderID: try Envelope.string(envelope, "senderid"),
            callerID: callerID,
            agent: try Envelope.string(envelope, "agent"),
            collective: try Envelope.string(envelope, "collective"),
            filter: envelope["filter"] ?? .hash(RubyHash()),
            ttl: try Envelope.integer(envelope, "ttl"),
            messageTime: try Envelope.integer(envelope, "msgtime"),
            body: try Envelope.decodeBody(body, limits: limits))
    }

    public func encodeReply(_ reply: Reply) throws(SecurityError) -> [UInt8] {
        let body = RubyMarshal.encode(reply.body)
        return RubyMarshal.encode(Envelope.reply(reply, body: body, hash: .ascii(digest(body))))
    }

    public func decodeReply(_ bytes: [UInt8]) throws(SecurityError) -> Reply {
        let envelope = try Envelope.decode(bytes, limits: limits)
        let body = try Envelope.bytes(envelope, "body")
        try verify(body, envelope)
        return Reply(
            senderID: try Envelope.string(envelope, "senderid"),
            requestID: try Envelope.string(envelope, "requestid"),
            senderAgent: try Envelope.string(envelope, "senderagent"),
            messageTime: try Envelope.integer(envelope, "msgtime"),
            body: try Envelope.decodeBody(body, limits: limits))
    }

    private func verify(_ body: [UInt8], _ envelope: RubyHash) throws(SecurityError) {
        let claimed: [UInt8]
        switch envelope["hash"] {
        case .string(let string)?: claimed = Array(string.text.utf8)
        case .symbol(let name)?: claimed = Array(name.utf8)
        default: throw .malformed("the envelope has no :hash")
        }
        guard constantTimeEqual(claimed, digestBytes(body)) else { throw .invalidSignature }
    }

    /// Caller id for this process as `plugin.psk.callertype` asks (MCollective's psk.rb `callerid`).
    public static func callerID(type: CallerType, identity: String) -> String {
        switch type {
        case .uid: return "uid=\(getuid())"
        case .gid: return "gid=\(getgid())"
        case .user: return "user=\(ProcessIdentity.userName ?? String(getuid()))"
        case .group: return "group=\(ProcessIdentity.groupName ?? String(getgid()))"
        case .identity: return "identity=\(identity)"
        }
    }
}

func constantTimeEqual(_ a: [UInt8], _ b: [UInt8]) -> Bool {
    guard a.count == b.count else { return false }
    var difference: UInt8 = 0
    for index in a.indices { difference |= a[index] ^ b[index] }
    return difference == 0
}
