import RubyMarshal
import Testing

/// SplitMix64: a small deterministic generator, so every run mutates the same way.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

@Suite("Decoding hostile and damaged input")
struct MarshalRobustnessTests {
    /// Envelopes and inner bodies of every captured frame.
    static let corpus: [[UInt8]] = {
        var documents: [[UInt8]] = []
        for frame in FixtureFrame.all {
            documents.append(frame.envelope)
            if let envelope = try? RubyMarshal.decode(frame.envelope), let body = envelope["body"]?.bytesValue {
                documents.append(body)
            }
        }
        return documents
    }()

    /// Bytes that steer a mutation into interesting territory: type tags and length edges.
    static let interesting: [UInt8] = [
        0x00, 0x01, 0x04, 0x05, 0x7F, 0x80, 0xFB, 0xFC, 0xFF, 0x30, 0x40, 0x3A, 0x3B, 0x49, 0x5B, 0x7B, 0x7D,
        0x22, 0x2F, 0x66, 0x69, 0x6C, 0x6F, 0x75,
    ]

    static func mutate(_ original: [UInt8], using random: inout SplitMix64) -> [UInt8] {
        var bytes = original
        for _ in 0..<Int.random(in: 1...4, using: &random) {
            guard !bytes.isEmpty else { break }
            let position = Int.random(in: 0..<bytes.count, using: &random)
            switch Int.random(in: 0..<7, using: &random) {
            case 0: bytes[position] ^= UInt8(1 << Int.random(in: 0..<8, using: &random))
            case 1: bytes[position] = interesting.randomElement(using: &random)!
            case 2: bytes[position] = UInt8.random(in: 0...255, using: &random)
            case 3: bytes.removeSubrange(position..<min(bytes.count, position + Int.random(in: 1...8, using: &random)))
            case 4: bytes.insert(interesting.randomElement(using: &random)!, at: position)
            case 5:
                let end = min(bytes.count, position + Int.random(in: 1...32, using: &random))
                bytes.insert(contentsOf: bytes[position..<end], at: Int.random(in: 0...bytes.count, using: &random))
            default: bytes.removeSubrange(position...)
            }
        }
        return bytes
    }

    @Test("20,000 mutated fixtures all decode or throw, and what decodes re-encodes stably")
    func mutations() {
        var random = SplitMix64(state: 0x5EED_C0DE)
        var decoded = 0
        var failed = 0
        for iteration in 0..<20_000 {
            let original = Self.corpus[iteration % Self.corpus.count]
            let input = Self.mutate(original, using: &random)
            do {
                let value = try RubyMarshal.decode(input)
                decoded += 1
                let encoded = RubyMarshal.encode(value)
                let again = try RubyMarshal.decode(encoded)
                #expect(RubyMarshal.encode(again) == encoded)
                if iteration % 16 == 0 {
                    _ = value.inspect
                    _ = value.prettyInspectLines()
                    _ = value.jsonString(pretty: iteration % 32 == 0)
                }
            } catch {
                failed += 1
            }
        }
        #expect(decoded + failed == 20_000)
        // The mutations must exercise both outcomes.
        #expect(decoded > 1_000)
        #expect(failed > 1_000)
    }

    @Test("every strict prefix of a fixture is rejected as short")
    func truncations() {
        for document in Self.corpus.prefix(12) {
            for length in 0..<document.count {
                let error = marshalError { _ = try RubyMarshal.decode(document[0..<length]) }
                switch error {
                case .truncated?, .invalidLength?: continue
                default: Issue.record("prefix of \(length) bytes gave \(String(describing: error))")
                }
            }
        }
    }

    @Test("headers")
    func headers() throws {
        #expect(marshalError { _ = try RubyMarshal.decode([UInt8]()) } == .truncated(offset: 0))
        #expect(marshalError { _ = try RubyMarshal.decode([4]) } == .truncated(offset: 1))
        #expect(marshalError { _ = try RubyMarshal.decode([4, 8]) } == .truncated(offset: 2))
        #expect(marshalError { _ = try RubyMarshal.decode([4, 9, 0x30]) } == .badHeader(major: 4, minor: 9))
        #expect(marshalError { _ = try RubyMarshal.decode(Array("---\n".utf8)) } == .badHeader(major: 0x2D, minor: 0x2D))
        // Older 4.x minors are accepted, as Ruby does.
        #expect(try RubyMarshal.decode([4, 6, 0x30]) == .nil)
    }

    /// Runs a hostile decode and checks it failed as expected within a second.
    func expectQuickFailure(_ bytes: [UInt8], limits: MarshalLimits = .default, _ expected: MarshalError) {
        let clock = ContinuousClock()
        var error: MarshalError?
        let elapsed = clock.measure { error = marshalError { _ = try RubyMarshal.decode(bytes, limits: limits) } }
        #expect(error == expected)
        #expect(elapsed < .seconds(1))
    }

    @Test("an array or hash claiming 2^31 elements fails before allocating")
    func hugeCounts() {
        expectQuickFailure(marshalled([0x5B, 0x04, 0x00, 0x00, 0x00, 0x80]), .invalidLength(1 << 31, offset: 3))
        expectQuickFailure(marshalled([0x7B, 0x04, 0xFF, 0xFF, 0xFF, 0x3F, 0x30]), .invalidLength((1 << 30) - 1, offset: 3))
        expectQuickFailure(marshalled([0x22, 0x04, 0x00, 0x00, 0x00, 0x40, 0x61]), .invalidLength(1 << 30, offset: 3))
        expectQuickFailure(marshalled([0x5B, 0xFA]), .invalidLength(-1, offset: 3))
        expectQuickFailure(marshalled([0x6C, 0x2B, 0x04, 0x00, 0x00, 0x00, 0x40]), .invalidLength(1 << 30, offset: 4))
        let longBignum = marshalled([0x6C, 0x2B, 0x02, 0x58, 0x02] + [UInt8](repeating: 1, count: 1200))
        expectQuickFailure(longBignum, .tooLarge(offset: 4))
    }

    @Test("10,000 nested arrays stop at the depth limit")
    func deepNesting() {
        var bytes: [UInt8] = [4, 8]
        for _ in 0..<10_000 { bytes += [0x5B, 0x06] }
        bytes.append(0x30)
        expectQuickFailure(bytes, .tooDeep(offset: 2 + 64 * 2))
        // 64 levels are fine.
        var allowed: [UInt8] = [4, 8]
        for _ in 0..<64 { allowed += [0x7B, 0x06, 0x30] }
        allowed.append(0x30)
        #expect((try? RubyMarshal.decode(allowed)) != nil)
        expectQuickFailure(allowed, limits: MarshalLimits(maxDepth: 10), .tooDeep(offset: 2 + 10 * 3))
    }

    @Test("chains of instance variables and symbol encodings are bounded too")
    func deepIvars() {
        // "" with ivar :x => "" with ivar :x => … 10,000 times.
        var strings: [UInt8] = [4, 8, 0x49, 0x22, 0x00, 0x06, 0x3A, 0x06, 0x78]
        for _ in 0..<10_000 { strings += [0x49, 0x22, 0x00, 0x06, 0x3B, 0x00] }
        let stringsError = marshalError { _ = try RubyMarshal.decode(strings) }
        guard case .tooDeep? = stringsError else {
            Issue.record("got \(String(describing: stringsError))")
            return
        }
        // A symbol whose ivar name is a symbol with ivars, and so on.
        var symbols: [UInt8] = [4, 8]
        for _ in 0..<10_000 { symbols += [0x49, 0x3A, 0x06, 0x61, 0x06] }
        let symbolsError = marshalError { _ = try RubyMarshal.decode(symbols) }
        guard case .tooDeep? = symbolsError else {
            Issue.record("got \(String(describing: symbolsError))")
            return
        }
        expectQuickFailure(marshalled([0x49, 0x49, 0x22, 0x00, 0x00, 0x00]), .unsupportedType(byte: 0x49, offset: 3))
    }

    @Test("links out of range, to unfinished objects, and symbol links out of range")
    func badLinks() {
        expectQuickFailure(marshalled([0x5B, 0x06, 0x40, 0x02, 0x0F, 0x27]), .badLink(index: 9999, offset: 4))
        expectQuickFailure(marshalled([0x40, 0x00]), .badLink(index: 0, offset: 2))
        expectQuickFailure(marshalled([0x40, 0xFA]), .badLink(index: -1, offset: 2))
        expectQuickFailure(marshalled([0x5B, 0x06, 0x40, 0x00]), .recursiveLink(index: 0, offset: 4))
        expectQuickFailure(marshalled([0x3B, 0x06]), .badSymbolLink(index: 1, offset: 2))
        expectQuickFailure(marshalled([0x5B, 0x07, 0x3A, 0x06, 0x61, 0x3B, 0x02, 0x0F, 0x27]), .badSymbolLink(index: 9999, offset: 7))
        expectQuickFailure(marshalled([0x49, 0x22, 0x00, 0x06, 0x69, 0x00, 0x54]), .expectedSymbol(byte: 0x69, offset: 6))
    }

    @Test("links cannot blow a small input up into a huge or deep value")
    func linkExpansion() {
        // A(n) = [A(n-1), @A(n-1)]: 40 levels would expand to 2^40 values.
        let levels = 40
        var bytes: [UInt8] = [4, 8]
        for _ in 0..<levels { bytes += [0x5B, 0x07] }
        bytes += [0x5B, 0x07, 0x69, 0x00, 0x69, 0x00]
        for level in stride(from: levels, to: 0, by: -1) {
            bytes += [0x40, UInt8(level + 5)]  // the array just finished, object number `level`
        }
        let error = marshalError { _ = try RubyMarshal.decode(bytes) }
        guard case .tooLarge? = error else {
            Issue.record("got \(String(describing: error))")
            return
        }
        // Reusing a 60-deep array 10 levels down would nest 70 deep.
        var deep: [UInt8] = [4, 8, 0x5B, 0x07]
        for _ in 0..<59 { deep += [0x5B, 0x06] }
        deep.append(0x30)
        for _ in 0..<10 { deep += [0x5B, 0x06] }
        deep += [0x40, 0x06]
        expectQuickFailure(deep, .tooDeep(offset: deep.count - 2))
    }

    @Test("the object and float limits")
    func objectLimits() {
        var strings: [UInt8] = [4, 8, 0x5B, 0x19]
        for _ in 0..<20 { strings += [0x22, 0x00] }
        expectQuickFailure(strings, limits: MarshalLimits(maxObjects: 10), .tooManyObjects(offset: 4 + 9 * 2))
        expectQuickFailure(marshalled([0x66, 0x08] + ascii("1.x")), .invalidFloat(offset: 2))
        expectQuickFailure(marshalled([0x66, 0x00]), .invalidFloat(offset: 2))
        expectQuickFailure(marshalled([0x6C, 0x3F, 0x06, 0x01, 0x00]), .invalidBignumSign(byte: 0x3F, offset: 3))
    }
}
