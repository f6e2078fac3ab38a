import NIOCore
import Testing

@testable import STOMP

@Suite("STOMP decoder on malformed and hostile input")
struct DecoderHostileInputTests {
    private func firstError(_ bytes: [UInt8], limits: STOMPLimits = .default, unescape: Bool = false) -> STOMPParseError? {
        var decoder = STOMPFrameDecoder(limits: limits)
        decoder.unescapesHeaders = unescape
        var buffer = ByteBuffer(bytes: bytes)
        do {
            while try decoder.next(&buffer) != nil {}
            return nil
        } catch {
            return error
        }
    }

    @Test("garbage bytes are an unknown command, detected before a line ends")
    func garbage() {
        #expect(firstError(Array("GET / HTTP/1.1\r\n".utf8))?.kind == .unknownCommand)
        #expect(firstError([0x16, 0x03, 0x01, 0x02])?.kind == .unknownCommand)
        #expect(firstError(Array("FOO\n\n\0".utf8))?.kind == .unknownCommand)
        #expect(firstError(Array("send\n\n\0".utf8))?.kind == .unknownCommand)
        #expect(firstError(Array("SENDS".utf8)) == nil)
        #expect(firstError(Array("SENDSSSSSSSSSSSSS".utf8))?.kind == .unknownCommand)
    }

    @Test("malformed header lines and content-lengths are errors")
    func malformedHeaders() {
        #expect(firstError(Array("SEND\nnocolon\n\n\0".utf8))?.kind == .malformedHeader)
        #expect(firstError(Array("SEND\n:value\n\n\0".utf8))?.kind == .malformedHeader)
        #expect(firstError(Array("SEND\ncontent-length:abc\n\n\0".utf8))?.kind == .invalidContentLength)
        #expect(firstError(Array("SEND\ncontent-length:-1\n\n\0".utf8))?.kind == .invalidContentLength)
        #expect(firstError(Array("SEND\ncontent-length:2\n\nabc\0".utf8))?.kind == .missingNullTerminator)
        #expect(firstError(Array("\rX".utf8))?.kind == .invalidLineEnding)
        #expect(firstError(Array("SEND\na:".utf8) + [0xff, 0xfe] + Array("\n\n\0".utf8))?.kind == .invalidUTF8)
    }

    @Test("a huge declared content-length fails at once, before the body arrives")
    func hugeContentLength() {
        #expect(firstError(Array("SEND\ncontent-length:99999999999\n".utf8))?.kind == .frameTooLarge)
        #expect(firstError(Array("SEND\ncontent-length:999999999999999999999999\n".utf8))?.kind == .invalidContentLength)
        let small = STOMPLimits(maxFrameBytes: 10)
        #expect(firstError(Array("SEND\ncontent-length:11\n".utf8), limits: small)?.kind == .frameTooLarge)
        #expect(firstError(Array("SEND\n\n0123456789A".utf8), limits: small)?.kind == .frameTooLarge)
        #expect(firstError(Array("SEND\n\n0123456789".utf8), limits: small) == nil)
    }

    @Test("10,000 headers are rejected")
    func tooManyHeaders() {
        var text = "SEND\n"
        for index in 0..<10_000 { text += "h\(index):v\n" }
        text += "\n\0"
        #expect(firstError(Array(text.utf8))?.kind == .tooManyHeaders)
        var ok = "SEND\n"
        for index in 0..<128 { ok += "h\(index):v\n" }
        ok += "\n\0"
        #expect(firstError(Array(ok.utf8)) == nil)
    }

    @Test("an endless header line is rejected without waiting for its end")
    func endlessHeaderLine() {
        var bytes = Array("SEND\nx:".utf8)
        bytes += [UInt8](repeating: UInt8(ascii: "a"), count: 9000)
        #expect(firstError(bytes)?.kind == .headerLineTooLong)
        var complete = Array("SEND\nx:".utf8)
        complete += [UInt8](repeating: UInt8(ascii: "a"), count: 9000)
        complete += Array("\n\n\0".utf8)
        #expect(firstError(complete)?.kind == .headerLineTooLong)
    }

    @Test("20,000 deterministic random mutations of real frames never crash")
    func randomMutations() throws {
        let fixtures = try FixtureFrames.all().map(\.bytes)
        #expect(!fixtures.isEmpty)
        var rng = SplitMix64(seed: 0xC40_0005)
        var frames = 0
        var errors = 0
        let limits = STOMPLimits(maxFrameBytes: 4096, maxHeaderCount: 16, maxHeaderLineBytes: 256)
        for _ in 0..<20_000 {
            var bytes = fixtures[Int(rng.next() % UInt64(fixtures.count))]
            let mutations = 1 + Int(rng.next() % 4)
            for _ in 0..<mutations {
                let position = Int(rng.next() % UInt64(bytes.count))
                switch rng.next() % 4 {
                case 0: bytes[position] = UInt8(truncatingIfNeeded: rng.next())
                case 1: bytes.remove(at: position)
                case 2: bytes.insert(UInt8(truncatingIfNeeded: rng.next()), at: position)
                default: bytes[position] = [0, 10, 13, 58, 92][Int(rng.next() % 5)]
                }
            }
            var decoder = STOMPFrameDecoder(limits: limits)
            decoder.unescapesHeaders = rng.next() % 2 == 0
            var buffer = ByteBuffer(bytes: bytes)
            do {
                while let event = try decoder.next(&buffer) {
                    if case .frame = event { frames += 1 }
                }
            } catch {
                errors += 1
                #expect(!error.message.isEmpty)
            }
        }
        #expect(frames > 0)
        #expect(errors > 0)
    }
}

/// A small deterministic PRNG so the fuzz run is reproducible.
struct SplitMix64: RandomNumberGenerator {
    private var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
