import NIOCore
import STOMP

/// One message accepted from a SEND, as the broker routes it.
///
/// The body is the SEND frame's body slice, forwarded without copying. The MESSAGE header block
/// (everything after the `subscription` line up to and including the blank line) is the same for
/// every receiver using the same escaping, so it is encoded at most twice per message (1.0 and
/// 1.1+ receivers) and shared by all deliveries. Instances stay on the event loop that owns the
/// routing core.
public final class BrokerMessage {
    /// Where it was sent.
    public let destination: Destination
    /// The broker-assigned `message-id`.
    public let messageID: String
    /// The SEND's headers without `destination`, `receipt` and `transaction`, in order (with
    /// `reply-to` rewritten when the broker created a reply queue for it).
    public let headers: STOMPHeaders
    /// The body, as received.
    public let body: ByteBuffer
    /// The deadline in epoch milliseconds from which the message is dropped instead of
    /// delivered; 0 = never. The earlier of ActiveMQ's absolute `expires` header and the arrival
    /// time plus RabbitMQ's relative `expiration` header (a message is still delivered at exactly
    /// arrival + `expiration`, so `expiration:0` reaches only consumers present at once).
    public let expires: Int64
    /// Whether the message was delivered before and came back unacknowledged (a NACK, or its
    /// consumer unsubscribed or disconnected): its next MESSAGE frames say `redelivered:true`.
    /// A queue message is at one place at a time, and a topic or exchange copy is only
    /// redelivered to the subscription that had it, so the flag can live on the shared message.
    /// See ``markRedelivered()``.
    public private(set) var redelivered = false

    private var plainHeaderBlock: ByteBuffer?
    private var escapedHeaderBlock: ByteBuffer?

    /// - Parameters:
    ///   - destination: where it was sent.
    ///   - messageID: the broker-assigned id.
    ///   - headers: the SEND frame's headers (routing-only headers are dropped here).
    ///   - body: the SEND frame's body.
    ///   - receivedAt: when the broker accepted it (epoch ms), the base of a relative `expiration`.
    ///   - replyTo: replaces the value of the first `reply-to` header (RabbitMQ's temp-queue
    ///     rewrite), if given.
    public init(
        destination: Destination, messageID: String, headers: STOMPHeaders, body: ByteBuffer, receivedAt: Int64 = 0,
        replyTo: String? = nil
    ) {
        self.destination = destination
        self.messageID = messageID
        var kept = STOMPHeaders()
        var expires: Int64 = 0
        var sawExpires = false
        var sawExpiration = false
        var sawReplyTo = false
        for header in headers {
            switch header.name {
            case "destination", "receipt", "transaction":
                continue
            case "expires" where !sawExpires:
                sawExpires = true
                if let absolute = Int64(header.value), absolute > 0 {
                    expires = expires == 0 ? absolute : min(expires, absolute)
                }
                kept.add(header.name, header.value)
            case "expiration" where !sawExpiration:
                sawExpiration = true
                if let relative = Self.relativeExpiration(header.value) {
                    let deadline = max(receivedAt, 0) + relative + 1
                    expires = expires == 0 ? deadline : min(expires, deadline)
                }
                kept.add(header.name, header.value)
            case "reply-to" where !sawReplyTo:
                sawReplyTo = true
                kept.add(header.name, replyTo ?? header.value)
            default:
                // A repeated header is forwarded once, with its first value (STOMP 1.2 "Repeated
                // Header Entries"; RabbitMQ and ActiveMQ do the same). Frames carry few headers,
                // so the scan is cheaper than a set.
                if kept[header.name] == nil { kept.add(header.name, header.value) }
            }
        }
        self.headers = kept
        self.body = body
        self.expires = expires
    }

    /// Longest relative `expiration` honoured (about 290 million years); larger values are
    /// clamped so deadlines never overflow.
    static let maximumExpiration: Int64 = 1 << 53

    /// The milliseconds of a RabbitMQ `expiration` header: a non-negative decimal integer, as
    /// AMQP requires; `nil` when malformed (the broker refuses such a SEND).
    public static func relativeExpiration(_ value: String) -> Int64? {
        guard !value.isEmpty, value.utf8.count <= 19, value.utf8.allSatisfy({ $0 >= 48 && $0 <= 57 }),
            let number = Int64(value)
        else { return nil }
        return min(number, maximumExpiration)
    }

    /// Whether the message has expired at `now` (epoch milliseconds).
    public func isExpired(now: Int64) -> Bool {
        expires > 0 && expires <= now
    }

    /// The header value a selector sees: the SEND's headers plus `destination` and `message-id`.
    public func selectorValue(_ name: String) -> String? {
        switch name {
        case "destination": destination.path
        case "message-id": messageID
        default: headers[name]
        }
    }

    /// `destination` (as delivered: ``Destination/deliveredPath``), `message-id`,
    /// `redelivered:false` for RabbitMQ-dialect destinations (as RabbitMQ writes it), the SEND's
    /// headers (with `content-length` set to the body's length), and the blank line ending the
    /// headers. Encoded once per escaping mode; a ``redelivered`` message gets
    /// `redelivered:true` after `message-id` whatever the dialect (ActiveMQ writes the header
    /// only then).
    public func headerBlock(escaped: Bool, allocator: ByteBufferAllocator) -> ByteBuffer {
        if escaped, let escapedHeaderBlock { return escapedHeaderBlock }
        if !escaped, let plainHeaderBlock { return plainHeaderBlock }
        let block = makeHeaderBlock(escaped: escaped, allocator: allocator)
        if escaped { escapedHeaderBlock = block } else { plainHeaderBlock = block }
        return block
    }

    /// Marks the message as delivered before: from now on its MESSAGE frames say
    /// `redelivered:true` (the cached header blocks are encoded again). Every later delivery of
    /// it is a redelivery, and a fresh message's deliveries never look at the flag.
    func markRedelivered() {
        guard !redelivered else { return }
        redelivered = true
        plainHeaderBlock = nil
        escapedHeaderBlock = nil
    }

    private func makeHeaderBlock(escaped: Bool, allocator: ByteBufferAllocator) -> ByteBuffer {
        let deliveredPath = destination.deliveredPath
        var size = deliveredPath.utf8.count + messageID.utf8.count + 72
        for header in headers { size += header.name.utf8.count + header.value.utf8.count + 2 }
        var block = allocator.buffer(capacity: size)
        STOMPFrameEncoder.writeHeader(name: "destination", value: deliveredPath, into: &block, escape: escaped)
        STOMPFrameEncoder.writeHeader(name: "message-id", value: messageID, into: &block, escape: escaped)
        if redelivered {
            block.writeStaticString("redelivered:true\n")
        } else if destination.isRabbitMQDialect {
            block.writeStaticString("redelivered:false\n")
        }
        var wroteLength = false
        for header in headers {
            if header.name == "content-length" {
                if wroteLength { continue }
                wroteLength = true
                block.writeStaticString("content-length:")
                STOMPFrameEncoder.writeDecimal(body.readableBytes, into: &block)
                block.writeStaticString("\n")
                continue
            }
            STOMPFrameEncoder.writeHeader(name: header.name, value: header.value, into: &block, escape: escaped)
        }
        if !wroteLength {
            block.writeStaticString("content-length:")
            STOMPFrameEncoder.writeDecimal(body.readableBytes, into: &block)
            block.writeStaticString("\n")
        }
        block.writeStaticString("\n")
        return block
    }
}
