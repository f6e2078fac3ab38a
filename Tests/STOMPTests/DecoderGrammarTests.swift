import NIOCore
import Testing

@testable import STOMP

@Suite("STOMP decoder grammar")
struct DecoderGrammarTests {
    private func decodeAll(_ text: String, unescape: Bool = false) throws(STOMPParseError) -> [STOMPParseEvent] {
        var decoder = STOMPFrameDecoder()
        decoder.unescapesHeaders = unescape
        var buffer = ByteBuffer(string: text)
        var events: [STOMPParseEvent] = []
        while let event = try decoder.next(&buffer) { events.append(event) }
        return events
    }

    private func onlyFrame(_ text: String, unescape: Bool = false) throws -> STOMPFrame {
        let events = try decodeAll(text, unescape: unescape)
        guard events.count == 1, case .frame(let frame) = events[0] else {
            throw STOMPParseError(.truncatedFrame, "expected one frame, got \(events)")
        }
        return frame
    }

    @Test("CRLF line endings and leading heart-beats")
    func crlfAndHeartbeats() throws {
        let events = try decodeAll("\n\r\nSEND\r\ndestination:/queue/a\r\n\r\nhello\0\n")
        #expect(events.count == 4)
        #expect(events[0] == .heartbeat)
        #expect(events[1] == .heartbeat)
        guard case .frame(let frame) = events[2] else {
            Issue.record("no frame")
            return
        }
        #expect(frame.headers["destination"] == "/queue/a")
        #expect(String(buffer: frame.body) == "hello")
        #expect(events[3] == .heartbeat)
    }

    @Test("a value may contain ':' and repeated headers are all kept, first wins")
    func repeatedHeaders() throws {
        let frame = try onlyFrame("MESSAGE\nmessage-id:ID:a:b\nfoo:1\nfoo:2\n\n\0")
        #expect(frame.headers["message-id"] == "ID:a:b")
        #expect(frame.headers["foo"] == "1")
        #expect(frame.headers.count == 3)
    }

    @Test("content-length bodies may contain NUL bytes")
    func contentLengthWithNul() throws {
        let frame = try onlyFrame("SEND\ncontent-length:5\n\na\0b\0c\0")
        #expect(Array(frame.body.readableBytesView) == [97, 0, 98, 0, 99])
    }

    @Test("without content-length the body runs to the first NUL")
    func bodyToNul() throws {
        let events = try decodeAll("SEND\n\nab\0SEND\n\ncd\0")
        #expect(events.count == 2)
        guard case .frame(let second) = events[1] else {
            Issue.record("no frame")
            return
        }
        #expect(String(buffer: second.body) == "cd")
    }

    @Test("1.1 escapes are decoded only when enabled, never for CONNECT")
    func escapes() throws {
        let text = "SEND\na\\cb:x\\ny\\\\z\\rq\n\n\0"
        let escaped = try onlyFrame(text, unescape: true)
        #expect(escaped.headers["a:b"] == "x\ny\\z\rq")
        let raw = try onlyFrame(text, unescape: false)
        #expect(raw.headers["a\\cb"] == "x\\ny\\\\z\\rq")
        let connect = try onlyFrame("CONNECT\nlogin:a\\cb\n\n\0", unescape: true)
        #expect(connect.headers["login"] == "a\\cb")
    }

    @Test("an undefined escape is an error")
    func invalidEscape() {
        #expect(throws: STOMPParseError.self) { try decodeAll("SEND\na:b\\tc\n\n\0", unescape: true) }
        do {
            _ = try decodeAll("SEND\na:b\\\n\n\0", unescape: true)
            Issue.record("no error")
        } catch {
            #expect(error.kind == .invalidEscape)
        }
    }

    @Test("escaped headers round-trip through the encoder")
    func escapeRoundTrip() throws {
        let original = STOMPFrame(command: .message, headers: [("k:e\\y", "v\nal:ue\r")], body: Array("x".utf8))
        var buffer = ByteBuffer()
        STOMPFrameEncoder.encode(original, into: &buffer, escapeHeaders: true)
        #expect(String(buffer: buffer).hasPrefix("MESSAGE\nk\\ce\\\\y:v\\nal\\cue\\r\ncontent-length:1\n"))
        var decoder = STOMPFrameDecoder()
        decoder.unescapesHeaders = true
        guard case .frame(let decoded) = try decoder.next(&buffer) else {
            Issue.record("no frame")
            return
        }
        #expect(decoded.headers["k:e\\y"] == "v\nal:ue\r")
        #expect(decoded.headers["content-length"] == "1")
    }

    @Test("1.0 encoding cannot inject a header line")
    func noInjection() throws {
        let frame = STOMPFrame(command: .send, headers: [("a", "b\ninjected:yes")])
        var buffer = ByteBuffer()
        STOMPFrameEncoder.encode(frame, into: &buffer, escapeHeaders: false)
        var decoder = STOMPFrameDecoder()
        guard case .frame(let decoded) = try decoder.next(&buffer) else {
            Issue.record("no frame")
            return
        }
        #expect(decoded.headers["injected"] == nil)
        #expect(decoded.headers["a"] == "b injected:yes")
    }

    @Test("the encoder corrects or adds content-length")
    func encoderContentLength() {
        var buffer = ByteBuffer()
        STOMPFrameEncoder.encode(
            STOMPFrame(command: .send, headers: [("content-length", "99"), ("x", "y")], body: [1, 2]), into: &buffer,
            escapeHeaders: false)
        #expect(Array(buffer.readableBytesView) == Array("SEND\ncontent-length:2\nx:y\n\n".utf8) + [1, 2, 0])
        buffer.clear()
        STOMPFrameEncoder.encode(STOMPFrame(command: .send, headers: [], body: [7]), into: &buffer, escapeHeaders: false)
        #expect(Array(buffer.readableBytesView) == Array("SEND\ncontent-length:1\n\n".utf8) + [7, 0])
        buffer.clear()
        STOMPFrameEncoder.encode(STOMPFrame(command: .connected, headers: [("version", "1.0")]), into: &buffer, escapeHeaders: true)
        #expect(String(buffer: buffer) == "CONNECTED\nversion:1.0\n\n\0")
    }

    @Test("the frame is consumed only when complete")
    func consumesOnlyWhatItReturns() throws {
        var decoder = STOMPFrameDecoder()
        var buffer = ByteBuffer(string: "SEND\ncontent-length:3\n\nab")
        #expect(try decoder.next(&buffer) == nil)
        #expect(buffer.readableBytes == 25)
        buffer.writeString("c\0")
        #expect(try decoder.next(&buffer) != nil)
        #expect(buffer.readableBytes == 0)
    }
}
