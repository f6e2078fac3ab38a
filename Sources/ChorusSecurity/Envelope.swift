import ChorusCore
import RubyMarshal

/// Reading and writing the Marshal envelopes MCollective's security plugins share
/// (security/base.rb `create_request` / `create_reply`); the provider fills in `:hash`.
enum Envelope {
    /// The request envelope, keys in MCollective's order; `hash` last.
    static func request(_ request: Request, body: [UInt8], hash: RubyValue) -> RubyValue {
        .hash(RubyHash(symbolKeys: [
            "body": .binary(body),
            "senderid": .str(request.senderID),
            "requestid": .ascii(request.requestID),
            "filter": request.filter,
            "collective": .str(request.collective),
            "agent": .str(request.agent),
            "callerid": .str(request.callerID),
            "ttl": .int(request.ttl),
            "msgtime": .int(request.messageTime),
            "hash": hash,
        ]))
    }

    /// The reply envelope, keys in MCollective's order.
    static func reply(_ reply: Reply, body: [UInt8], hash: RubyValue) -> RubyValue {
        .hash(RubyHash(symbolKeys: [
            "senderid": .str(reply.senderID),
            "requestid": .ascii(reply.requestID),
            "senderagent": .str(reply.senderAgent),
            "msgtime": .int(reply.messageTime),
            "body": .binary(body),
            "hash": hash,
        ]))
    }

    /// Decodes the outer envelope into a hash, rejecting anything else.
    static func decode(_ bytes: [UInt8], limits: MarshalLimits) throws(SecurityError) -> RubyHash {
        let value: RubyValue
        do {
            value = try RubyMarshal.decode(bytes, limits: limits)
        } catch {
            throw .malformed("\(error)")
        }
        guard case .hash(let hash) = value else { throw .malformed("the envelope is not a Hash") }
        return hash
    }

    static func string(_ hash: RubyHash, _ key: String) throws(SecurityError) -> String {
        guard let value = hash[key]?.stringValue else { throw .malformed("the envelope has no :\(key)") }
        return value
    }

    static func bytes(_ hash: RubyHash, _ key: String) throws(SecurityError) -> [UInt8] {
        guard let value = hash[key]?.bytesValue else { throw .malformed("the envelope has no :\(key)") }
        return value
    }

    static func integer(_ hash: RubyHash, _ key: String) throws(SecurityError) -> Int {
        guard let value = hash[key]?.intValue else { throw .malformed("the envelope's :\(key) is not an Integer") }
        return value
    }

    static func decodeBody(_ bytes: [UInt8], limits: MarshalLimits) throws(SecurityError) -> RubyValue {
        do {
            return try RubyMarshal.decode(bytes, limits: limits)
        } catch {
            throw .malformed("body: \(error)")
        }
    }
}
