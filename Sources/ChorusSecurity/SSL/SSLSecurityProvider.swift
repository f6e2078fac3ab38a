import ChorusCore
import RubyMarshal

/// MCollective's `ssl` security provider (security/ssl.rb): RSA signatures instead of a
/// shared secret.
///
/// * A client signs each request with its own private key (PKCS#1 v1.5 over SHA-1 of the
///   exact `:body` bytes, base64 in 60-character lines) and names itself
///   `cert=<public key file name>`. The signed body wraps the RPC body with copies of the
///   TTL and message time: `{:ssl_msg => body, :ssl_ttl => ttl, :ssl_msgtime => msgtime}`.
/// * A node verifies the signature with `<plugin.ssl_client_cert_dir>/<name>.pem`, requires
///   the signed TTL and time to equal the envelope's, and unwraps `:ssl_msg`.
/// * Replies carry the plain body signed with the server private key all nodes share;
///   clients verify them with `plugin.ssl_server_public`.
///
/// Envelopes and bodies are Ruby Marshal, or YAML with `plugin.ssl_serializer = yaml`.
public struct SSLSecurityProvider: SecurityProvider {
    public let name = "ssl"
    public let callerID: String
    public let serializer: SSLSerializer
    /// Problems found while loading keys that do not stop the provider (loose permissions).
    public let warnings: [String]

    /// Signs what this side sends: the client private key, or the server private key.
    private let signingKey: SSLPrivateKey?
    /// Verifies replies (clients): the server public key.
    private let replyKey: SSLPublicKey?
    /// Verifies requests (nodes): the client public keys.
    private let clientKeys: SSLClientKeyDirectory?
    private let limits: MarshalLimits
    private let maxYAMLBytes: Int

    /// A provider from keys already loaded. A client needs `signingKey` and `replyKey`, a
    /// node `signingKey` (the server private key) and `clientKeys`; a missing key makes the
    /// operations that need it throw `.misconfigured`. `limits` bound every decoded value,
    /// `maxYAMLBytes` each YAML document (envelope, body) before it is parsed.
    public init(
        callerID: String, serializer: SSLSerializer = .marshal, signingKey: SSLPrivateKey?, replyKey: SSLPublicKey?,
        clientKeys: SSLClientKeyDirectory?, warnings: [String] = [], limits: MarshalLimits = .default,
        maxYAMLBytes: Int = RubyYAML.defaultMaxBytes
    ) {
        self.maxYAMLBytes = maxYAMLBytes
        self.callerID = callerID
        self.serializer = serializer
        self.signingKey = signingKey
        self.replyKey = replyKey
        self.clientKeys = clientKeys
        self.warnings = warnings
        self.limits = limits
    }

    // MARK: - Requests

    public func encodeRequest(_ request: Request) throws(SecurityError) -> [UInt8] {
        guard let signingKey else {
            throw .misconfigured("no private key to sign requests with: set plugin.ssl_client_private")
        }
        let secured = RubyValue.hash(RubyHash(symbolKeys: [
            "ssl_msg": request.body,
            "ssl_ttl": .int(request.ttl),
            "ssl_msgtime": .int(request.messageTime),
        ]))
        let body = try serializer.encode(secured)
        let hash = RubyValue.ascii(RubyBase64.encodeLines(try signingKey.signature(for: body)))
        var envelope = Envelope.request(request, body: [], hash: hash).asHash ?? RubyHash()
        envelope.set(serializer.bodyValue(body), forSymbol: "body")
        return try serializer.encode(.hash(envelope))
    }

    public func decodeRequest(_ bytes: [UInt8]) throws(SecurityError) -> Request {
        let envelope = try decodeEnvelope(bytes)
        let body = try Envelope.bytes(envelope, "body")
        let callerID = try Envelope.string(envelope, "callerid")
        guard let clientKeys else {
            throw .misconfigured("no client public keys to verify requests with: set plugin.ssl_client_cert_dir")
        }
        try verify(body, envelope, with: try clientKeys.publicKey(callerID: callerID))
        let ttl = try Envelope.integer(envelope, "ttl")
        let messageTime = try Envelope.integer(envelope, "msgtime")
        let unwrapped = try Self.unwrap(try serializer.decode(body, limits: limits, maxYAMLBytes: maxYAMLBytes, part: "body"), ttl: ttl, messageTime: messageTime)
        return Request(
            requestID: try Envelope.string(envelope, "requestid"),
            senderID: try Envelope.string(envelope, "senderid"),
            callerID: callerID,
            agent: try Envelope.string(envelope, "agent"),
            collective: try Envelope.string(envelope, "collective"),
            filter: envelope["filter"] ?? .hash(RubyHash()),
            ttl: ttl,
            messageTime: messageTime,
            body: unwrapped)
    }

    /// The signed body must carry `:ssl_ttl` and `:ssl_msgtime` equal to the envelope's
    /// unsigned `:ttl` and `:msgtime` (ssl.rb `update_secure_property`); returns `:ssl_msg`.
    static func unwrap(_ secured: RubyValue, ttl: Int, messageTime: Int) throws(SecurityError) -> RubyValue {
        guard case .hash(var hash) = secured else {
            throw .tampered("the signed body carries no TTL or message time (unknown or older ssl protocol)")
        }
        for (secure, plain, value, label) in [("ssl_ttl", "ttl", ttl, "TTL"), ("ssl_msgtime", "msgtime", messageTime, "Message Time")] {
            guard let signed = hash.remove(.symbol(secure)) else {
                throw .tampered("the request does not have a secure \(label)")
            }
            guard signed == .int(value) else {
                throw .tampered("the request's :\(plain) \(value) does not match the signed \(label) \(signed.inspect)")
            }
        }
        return hash.remove(.symbol("ssl_msg")) ?? .hash(hash)
    }

    // MARK: - Replies

    public func encodeReply(_ reply: Reply) throws(SecurityError) -> [UInt8] {
        guard let signingKey else {
            throw .misconfigured("no private key to sign replies with: set plugin.ssl_server_private")
        }
        let body = try serializer.encode(reply.body)
        let hash = RubyValue.ascii(RubyBase64.encodeLines(try signingKey.signature(for: body)))
        var envelope = Envelope.reply(reply, body: [], hash: hash).asHash ?? RubyHash()
        envelope.set(serializer.bodyValue(body), forSymbol: "body")
        return try serializer.encode(.hash(envelope))
    }

    public func decodeReply(_ bytes: [UInt8]) throws(SecurityError) -> Reply {
        let envelope = try decodeEnvelope(bytes)
        let body = try Envelope.bytes(envelope, "body")
        guard let replyKey else {
            throw .misconfigured("no server public key to verify replies with: set plugin.ssl_server_public")
        }
        try verify(body, envelope, with: replyKey)
        return Reply(
            senderID: try Envelope.string(envelope, "senderid"),
            requestID: try Envelope.string(envelope, "requestid"),
            senderAgent: try Envelope.string(envelope, "senderagent"),
            messageTime: try Envelope.integer(envelope, "msgtime"),
            body: try serializer.decode(body, limits: limits, maxYAMLBytes: maxYAMLBytes, part: "body"))
    }

    // MARK: - Shared

    private func decodeEnvelope(_ bytes: [UInt8]) throws(SecurityError) -> RubyHash {
        guard case .hash(let envelope) = try serializer.decode(bytes, limits: limits, maxYAMLBytes: maxYAMLBytes, part: "envelope") else {
            throw .malformed("the envelope is not a Hash")
        }
        return envelope
    }

    /// `:hash` is base64 (any line layout) of the RSA signature over the exact `:body` bytes.
    private func verify(_ body: [UInt8], _ envelope: RubyHash, with key: SSLPublicKey) throws(SecurityError) {
        guard let encoded = envelope["hash"]?.bytesValue else { throw .malformed("the envelope has no :hash") }
        guard key.isValidSignature(RubyBase64.decodeLenient(encoded), for: body) else { throw .invalidSignature }
    }

    /// MCollective's ssl caller id: `cert=` and the public key file's name without `.pem`.
    public static func callerID(publicKeyPath: String) -> String {
        var name = Substring(publicKeyPath)
        if let slash = name.lastIndex(of: "/") { name = name[name.index(after: slash)...] }
        if name.hasSuffix(".pem") { name = name.dropLast(4) }
        return "cert=\(name)"
    }
}
