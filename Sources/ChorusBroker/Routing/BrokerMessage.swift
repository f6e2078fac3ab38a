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
    /// The SEND's headers without `destination`, `receipt` and `transaction`, in order.
    public let headers: STOMPHeaders
    /// The body, as received.
    public let body: ByteBuffer
    /// Absolute expiry in epoch milliseconds from the `expires` header; 0 = never.
    public let expires: Int64

    private var plainHeaderBlock: ByteBuffer?
    private var escapedHeaderBlock: ByteBuffer?

    /// - Parameters:
    ///   - destination: where it was sent.
    ///   - messageID: the broker-assigned id.
    ///   - headers: the SEND frame's headers (routing-only headers are dropped here).
    ///   - body: the SEND frame's body.
    public init(destination: Destination, messageID: String, headers: STOMPHeaders, body: ByteBuffer) {
        self.destination = destination
        self.messageID = messageID
        var kept = STOMPHeaders()
        var expires: Int64 = 0
        var sawExpires = false
        for header in headers {
            switch header.name {
            case "destination", "receipt", "transaction":
                continue
            case "expires" where !sawExpires:
                sawExpires = true
                expires = Int64(header.value) ?? 0
                kept.add(header.name, header.value)
            default:
                kept.add(header.name, header.value)
            }
        }
        self.headers = kept
        self.body = body
        self.expires = expires
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

    /// `destination`, `message-id`, the SEND's headers (with `content-length` set to the body's
    /// length), and the blank line ending the headers. Encoded once per escaping mode.
    public func headerBlock(escaped: Bool, allocator: ByteBufferAllocator) -> ByteBuffer {
        if escaped, let escapedHeaderBlock { return escapedHeaderBlock }
        if !escaped, let plainHeaderBlock { return plainHeaderBlock }
        var size = destination.path.utf8.count + messageID.utf8.count + 48
        for header in headers { size += header.name.utf8.count + header.value.utf8.count + 2 }
        var block = allocator.buffer(capacity: size)
        STOMPFrameEncoder.writeHeader(name: "destination", value: destination.path, into: &block, escape: escaped)
        STOMPFrameEncoder.writeHeader(name: "message-id", value: messageID, into: &block, escape: escaped)
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
        if escaped { escapedHeaderBlock = block } else { plainHeaderBlock = block }
        return block
    }
}
