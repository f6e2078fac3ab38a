import NIOCore

/// A `ByteToMessageDecoder` producing ``STOMPParseEvent``s, for
/// `ByteToMessageHandler(STOMPByteToMessageDecoder())` in a client pipeline.
///
/// It starts in STOMP 1.0 mode (no header unescaping) and switches to unescaping by itself when it
/// decodes a CONNECTED frame whose `version` is 1.1 or 1.2. A stream ending inside a frame raises
/// ``STOMPParseError/Kind/truncatedFrame``.
public struct STOMPByteToMessageDecoder: NIOSingleStepByteToMessageDecoder {
    public typealias InboundOut = STOMPParseEvent

    /// The underlying parser (its `unescapesHeaders` may be set directly).
    public var decoder: STOMPFrameDecoder

    /// - Parameter limits: the parser's bounds.
    public init(limits: STOMPLimits = .default) {
        decoder = STOMPFrameDecoder(limits: limits)
    }

    public mutating func decode(buffer: inout ByteBuffer) throws -> STOMPParseEvent? {
        let event = try decoder.next(&buffer)
        if case .frame(let frame) = event, frame.command == .connected {
            decoder.unescapesHeaders = STOMPVersion.usesEscapes(frame.headers["version"])
        }
        return event
    }

    public mutating func decodeLast(buffer: inout ByteBuffer, seenEOF: Bool) throws -> STOMPParseEvent? {
        if let event = try decode(buffer: &buffer) { return event }
        if decoder.isInsideFrame || buffer.readableBytes > 0 {
            throw STOMPParseError(.truncatedFrame, "the connection closed in the middle of a frame")
        }
        return nil
    }
}

/// A `MessageToByteEncoder` writing ``STOMPFrame``s, for `MessageToByteHandler(encoder)`.
///
/// Escaping follows ``escapesHeaders``; it is switched on automatically when the encoder writes a
/// CONNECTED frame with `version` 1.1 or 1.2 (server side). A client sets it itself, on the
/// event loop, once it has read CONNECTED. With ``appendsNewline`` a `\n` follows every frame's
/// NUL, as ActiveMQ and RabbitMQ do.
public final class STOMPMessageToByteEncoder: MessageToByteEncoder {
    public typealias OutboundIn = STOMPFrame

    /// Whether header names and values are escaped (STOMP 1.1/1.2). Change only on the event loop.
    public var escapesHeaders: Bool
    /// Whether a `\n` is written after each frame.
    public let appendsNewline: Bool

    /// - Parameters:
    ///   - escapesHeaders: start escaping at once (normally `false` until 1.1/1.2 is negotiated).
    ///   - appendsNewline: write `\n` after each frame's NUL.
    public init(escapesHeaders: Bool = false, appendsNewline: Bool = false) {
        self.escapesHeaders = escapesHeaders
        self.appendsNewline = appendsNewline
    }

    public func encode(data: STOMPFrame, out: inout ByteBuffer) throws {
        STOMPFrameEncoder.encode(data, into: &out, escapeHeaders: escapesHeaders)
        if appendsNewline { out.writeInteger(STOMPByte.lf) }
        if data.command == .connected {
            escapesHeaders = STOMPVersion.usesEscapes(data.headers["version"])
        }
    }
}

@available(*, unavailable)
extension STOMPMessageToByteEncoder: Sendable {}
