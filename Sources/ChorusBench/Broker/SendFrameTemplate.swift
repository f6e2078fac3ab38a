import NIOCore
import STOMP

/// A SEND frame to one destination with a body of a fixed size, encoded once by
/// ``STOMPFrameEncoder``: each message is then the header bytes, its body, and the NUL,
/// written into one buffer, with no header strings built per message.
struct SendFrameTemplate: Sendable {
    /// `SEND`, `destination`, `content-length`, the blank line.
    let header: ByteBuffer
    /// Every body's exact size.
    let bodyBytes: Int

    init(destination: String, bodyBytes: Int) {
        var encoded = ByteBuffer()
        let frame = STOMPFrame(
            command: .send, headers: STOMPHeaders([("destination", destination), ("content-length", "0")]),
            body: ByteBuffer(repeating: UInt8(ascii: "."), count: bodyBytes))
        STOMPFrameEncoder.encode(frame, into: &encoded, escapeHeaders: false)
        header = encoded.getSlice(at: encoded.readerIndex, length: encoded.readableBytes - bodyBytes - 1)!
        self.bodyBytes = bodyBytes
    }

    /// One SEND frame carrying `payload` (padded to ``bodyBytes``).
    func frame(_ payload: BenchPayload, allocator: ByteBufferAllocator) -> ByteBuffer {
        var buffer = allocator.buffer(capacity: header.readableBytes + bodyBytes + 1)
        buffer.writeImmutableBuffer(header)
        let start = buffer.writerIndex
        payload.write(into: &buffer, size: bodyBytes)
        precondition(buffer.writerIndex - start == bodyBytes, "the stamp is longer than the body")
        buffer.writeInteger(UInt8(0))
        return buffer
    }
}
