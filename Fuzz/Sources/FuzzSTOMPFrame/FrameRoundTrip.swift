import NIOCore
import STOMP

/// Whether a decoded frame survives being written again (as the broker relays frames) and read
/// back: same command, body and headers, `content-length` aside (the encoder rewrites it to the
/// body's real length). Frames whose unescaped headers hold CR or LF are left out: without
/// escaping, the encoder deliberately writes those as spaces so they cannot inject a header.
enum FrameRoundTrip {
    /// Generous bounds for the re-read: escaping and an added `content-length` may grow a frame
    /// that was just inside the original limits.
    static let relaxed = STOMPLimits(maxFrameBytes: 1 << 24, maxHeaderCount: 1 << 12, maxHeaderLineBytes: 1 << 18)

    /// nil when the frame is out of scope; otherwise whether it came back identical.
    static func survives(_ frame: STOMPFrame, escaping: Bool) -> Bool? {
        let escaped = escaping && ![.connect, .stomp, .connected].contains(frame.command)
        let lineBreaks = frame.headers.contains { $0.name.contains(where: \.isNewline) || $0.value.contains(where: \.isNewline) }
        if lineBreaks && !escaped { return nil }
        var buffer = ByteBuffer()
        STOMPFrameEncoder.encode(frame, into: &buffer, escapeHeaders: escaping)
        var decoder = STOMPFrameDecoder(limits: relaxed)
        decoder.unescapesHeaders = escaping
        guard case .frame(let again)? = try? decoder.next(&buffer) else { return false }
        return again.command == frame.command && again.body == frame.body
            && headersApartFromLength(again) == headersApartFromLength(frame)
    }

    private static func headersApartFromLength(_ frame: STOMPFrame) -> [String] {
        frame.headers.filter { $0.name != "content-length" }.map { "\($0.name)\u{0}\($0.value)" }
    }
}
