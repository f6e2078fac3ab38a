import FuzzSupport
import STOMP

/// Small bounds, so inputs of a few KiB reach every limit check (frame size, header count and
/// line length), alongside the broker's defaults.
let smallLimits = STOMPLimits(maxFrameBytes: 2048, maxHeaderCount: 8, maxHeaderLineBytes: 128)

/// `STOMPFrameDecoder` on arbitrary bytes: events or a `STOMPParseError`, never a trap. The first
/// byte picks the options (bit 0: STOMP 1.1/1.2 header unescaping; bit 1: small limits) and seeds
/// the chunking: however the stream is split into reads, the decoder must produce the same
/// events and stop the same way as when it gets the stream in one piece. Every decoded frame
/// must survive re-encoding (`FrameRoundTrip`).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzSTOMPFrame(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let (selector, stream) = FuzzInput.selector(FuzzInput.bytes(data, size))
    let unescapes = selector & 1 == 1
    let limits = selector & 2 == 2 ? smallLimits : .default
    let whole = StreamOutcome.decode(stream, limits: limits, unescapesHeaders: unescapes) { stream.count }
    var choices = FuzzChoices(seed: UInt64(selector >> 2) &+ UInt64(stream.count) &* 31)
    let maxChunk = Int(selector >> 2) % 17 + 1
    let chunked = StreamOutcome.decode(stream, limits: limits, unescapesHeaders: unescapes) {
        choices.next(upTo: maxChunk)
    }
    fuzzInvariant(whole == chunked, "chunked decoding differs from whole-stream decoding: \(whole) vs \(chunked)")
    for case .frame(let frame) in whole.events {
        fuzzInvariant(
            FrameRoundTrip.survives(frame, escaping: unescapes) != false, "frame does not survive re-encoding: \(frame)")
    }
    return 0
}
