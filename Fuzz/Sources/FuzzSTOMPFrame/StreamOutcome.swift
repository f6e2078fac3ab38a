import NIOCore
import STOMP

/// What a decoder made of a byte stream: the events before it stopped, whether it stopped on an
/// error, and whether a frame was left half read.
struct StreamOutcome: Equatable {
    var events: [STOMPParseEvent] = []
    var failed = false
    var insideFrame = false

    /// Feeds `bytes` to a fresh decoder in chunks whose sizes `chunkSize` picks (the whole
    /// stream at once when it returns `bytes.count`), draining events after every chunk, as the
    /// broker's and client's read loops do.
    static func decode(
        _ bytes: ArraySlice<UInt8>, limits: STOMPLimits, unescapesHeaders: Bool, chunkSize: () -> Int
    ) -> StreamOutcome {
        var decoder = STOMPFrameDecoder(limits: limits)
        decoder.unescapesHeaders = unescapesHeaders
        var buffer = ByteBuffer()
        var outcome = StreamOutcome()
        var offset = bytes.startIndex
        while offset < bytes.endIndex {
            let end = min(offset + max(chunkSize(), 1), bytes.endIndex)
            buffer.writeBytes(bytes[offset..<end])
            offset = end
            do {
                while let event = try decoder.next(&buffer) { outcome.events.append(event) }
            } catch {
                outcome.failed = true
                return outcome
            }
            buffer.discardReadBytes()
        }
        outcome.insideFrame = decoder.isInsideFrame
        return outcome
    }
}
