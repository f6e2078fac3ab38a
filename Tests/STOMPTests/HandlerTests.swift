import NIOCore
import Testing

@testable import STOMP

@Suite("NIO codec wrappers")
struct HandlerTests {
    @Test("the ByteToMessageDecoder starts unescaping after a 1.1 CONNECTED and reports truncation")
    func decoderNegotiates() throws {
        var decoder = STOMPByteToMessageDecoder()
        var buffer = ByteBuffer(string: "MESSAGE\na:b\\cc\n\n\0CONNECTED\nversion:1.1\n\n\0MESSAGE\na:b\\cc\n\n\0SEND\n")
        guard case .frame(let before) = try decoder.decode(buffer: &buffer) else {
            Issue.record("no frame")
            return
        }
        #expect(before.headers["a"] == "b\\cc")
        _ = try decoder.decode(buffer: &buffer)
        #expect(decoder.decoder.unescapesHeaders)
        guard case .frame(let after) = try decoder.decode(buffer: &buffer) else {
            Issue.record("no frame")
            return
        }
        #expect(after.headers["a"] == "b:c")
        #expect(try decoder.decode(buffer: &buffer) == nil)
        #expect(throws: STOMPParseError.self) { try decoder.decodeLast(buffer: &buffer, seenEOF: true) }
    }

    @Test("the MessageToByteEncoder escapes after writing a 1.2 CONNECTED and can append newlines")
    func encoderNegotiates() throws {
        let encoder = STOMPMessageToByteEncoder(appendsNewline: true)
        var out = ByteBuffer()
        try encoder.encode(data: STOMPFrame(command: .connected, headers: [("version", "1.2")]), out: &out)
        #expect(String(buffer: out) == "CONNECTED\nversion:1.2\n\n\0\n")
        #expect(encoder.escapesHeaders)
        out.clear()
        try encoder.encode(data: STOMPFrame(command: .message, headers: [("message-id", "ID:1")]), out: &out)
        #expect(String(buffer: out) == "MESSAGE\nmessage-id:ID\\c1\n\n\0\n")
    }

    @Test("versions order and escape rules")
    func versions() {
        #expect(STOMPVersion.v1_0 < .v1_1 && STOMPVersion.v1_1 < .v1_2)
        #expect(!STOMPVersion.usesEscapes(nil))
        #expect(STOMPVersion.usesEscapes("1.1"))
        #expect(!STOMPVersion.usesEscapes("garbage"))
    }
}
