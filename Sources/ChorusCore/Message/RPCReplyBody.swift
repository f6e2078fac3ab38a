import RubyMarshal

/// The body of a SimpleRPC reply: `{:statuscode, :statusmsg, :data}` (rpc/reply.rb).
public struct RPCReplyBody: Sendable, Hashable {
    public var statusCode: Int
    public var statusMessage: String
    public var data: RubyHash

    public init(statusCode: Int, statusMessage: String, data: RubyHash) {
        self.statusCode = statusCode
        self.statusMessage = statusMessage
        self.data = data
    }

    public init(status: StatusCode, message: String? = nil, data: RubyHash) {
        self.init(statusCode: status.rawValue, statusMessage: message ?? (status == .ok ? "OK" : status.displayWord), data: data)
    }

    public init?(_ value: RubyValue) {
        guard case .hash(let hash) = value, let code = hash["statuscode"]?.intValue else { return nil }
        statusCode = code
        statusMessage = hash["statusmsg"]?.stringValue ?? ""
        data = hash["data"]?.asHash ?? RubyHash()
    }

    public var rubyValue: RubyValue {
        .hash(RubyHash(symbolKeys: [
            "statuscode": .int(statusCode),
            "statusmsg": .str(statusMessage),
            "data": .hash(data),
        ]))
    }
}
