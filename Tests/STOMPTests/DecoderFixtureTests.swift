import Foundation
import NIOCore
import Testing

@testable import STOMP

@Suite("STOMP decoder against captured MCollective frames")
struct DecoderFixtureTests {
    @Test("every captured frame parses and re-encodes to identical bytes")
    func fixturesRoundTrip() throws {
        let frames = try FixtureFrames.all()
        #expect(frames.count >= 84)
        for fixture in frames {
            var decoder = STOMPFrameDecoder()
            var buffer = ByteBuffer(bytes: fixture.bytes)
            let event = try decoder.next(&buffer)
            guard case .frame(let frame) = try #require(event, "\(fixture.name)") else {
                Issue.record("\(fixture.name): not a frame")
                continue
            }
            #expect(buffer.readableBytes == 0, "\(fixture.name)")
            let nameCommand = fixture.name.replacingOccurrences(of: ".frame", with: "").split(separator: "_").contains { STOMPCommand(rawValue: String($0)) == frame.command }
            #expect(nameCommand, "\(fixture.name) decoded as \(frame.command)")
            if let declared = frame.headers["content-length"] {
                #expect(Int(declared) == frame.body.readableBytes, "\(fixture.name)")
            }
            var encoded = ByteBuffer()
            STOMPFrameEncoder.encode(frame, into: &encoded, escapeHeaders: false)
            #expect(Array(encoded.readableBytesView) == fixture.bytes, "\(fixture.name)")
        }
    }

    @Test("an ActiveMQ MESSAGE keeps header order, values with ':' and a body with NULs")
    func activeMQMessage() throws {
        let fixture = try #require(try FixtureFrames.all().first { $0.name.hasPrefix("activemq_psk/12_") })
        var decoder = STOMPFrameDecoder()
        var buffer = ByteBuffer(bytes: fixture.bytes)
        guard case .frame(let frame) = try decoder.next(&buffer) else {
            Issue.record("no frame")
            return
        }
        #expect(frame.command == .message)
        #expect(frame.headers.map(\.name).first == "content-length")
        #expect(frame.headers["message-id"] == "ID:vm-45417-1795542785860-3:4:-1:1:1")
        #expect(frame.headers["subscription"] == nil)
        #expect(frame.body.readableBytes == 334)
        #expect(frame.body.readableBytesView.contains(0))
    }

    @Test("all frames of a stream, split at every byte, decode to the same events")
    func splitAtEveryByte() throws {
        let frames = try FixtureFrames.all().filter { $0.name.hasPrefix("activemq_psk/") }
        var stream: [UInt8] = []
        for frame in frames {
            stream += frame.bytes
            stream += Array("\n".utf8)
        }
        stream += Array("\r\n".utf8)
        var whole = ByteBuffer(bytes: stream)
        var reference = STOMPFrameDecoder()
        var expected: [STOMPParseEvent] = []
        while let event = try reference.next(&whole) { expected.append(event) }
        #expect(expected.count == frames.count * 2 + 1)

        var decoder = STOMPFrameDecoder()
        var buffer = ByteBuffer()
        var events: [STOMPParseEvent] = []
        for byte in stream {
            buffer.writeInteger(byte)
            while let event = try decoder.next(&buffer) { events.append(event) }
        }
        #expect(events == expected)
        #expect(buffer.readableBytes == 0)
    }
}
