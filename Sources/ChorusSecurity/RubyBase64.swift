/// Base64 as Ruby writes and reads it: `Base64.encode64` (60-character lines, each ending
/// in a newline), `pack('m0')` (one line), and the lenient `unpack('m')` decoder.
enum RubyBase64 {
    private static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)

    /// `Base64.encode64`: lines of 60 characters, every line (the last too) ending in `\n`.
    static func encodeLines(_ bytes: [UInt8]) -> String {
        let text = Array(encodeStrict(bytes).utf8)
        var out: [UInt8] = []
        out.reserveCapacity(text.count + text.count / 60 + 1)
        var index = 0
        while index < text.count {
            let end = min(index + 60, text.count)
            out.append(contentsOf: text[index..<end])
            out.append(0x0A)
            index = end
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// `Base64.strict_encode64` / `pack('m0')`.
    static func encodeStrict(_ bytes: [UInt8]) -> String {
        var out: [UInt8] = []
        out.reserveCapacity((bytes.count + 2) / 3 * 4)
        var index = 0
        while index + 3 <= bytes.count {
            let value = UInt32(bytes[index]) << 16 | UInt32(bytes[index + 1]) << 8 | UInt32(bytes[index + 2])
            for shift in [18, 12, 6, 0] { out.append(alphabet[Int((value >> UInt32(shift)) & 0x3F)]) }
            index += 3
        }
        let rest = bytes.count - index
        if rest > 0 {
            var value = UInt32(bytes[index]) << 16
            if rest == 2 { value |= UInt32(bytes[index + 1]) << 8 }
            out.append(alphabet[Int((value >> 18) & 0x3F)])
            out.append(alphabet[Int((value >> 12) & 0x3F)])
            out.append(rest == 2 ? alphabet[Int((value >> 6) & 0x3F)] : UInt8(ascii: "="))
            out.append(UInt8(ascii: "="))
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// `unpack('m')`: characters outside the alphabet are skipped, `=` ends the data.
    static func decodeLenient(_ text: some Sequence<UInt8>) -> [UInt8] {
        var out: [UInt8] = []
        var accumulator: UInt32 = 0
        var count = 0
        for byte in text {
            let value: UInt32
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"): value = UInt32(byte - UInt8(ascii: "A"))
            case UInt8(ascii: "a")...UInt8(ascii: "z"): value = UInt32(byte - UInt8(ascii: "a")) + 26
            case UInt8(ascii: "0")...UInt8(ascii: "9"): value = UInt32(byte - UInt8(ascii: "0")) + 52
            case UInt8(ascii: "+"): value = 62
            case UInt8(ascii: "/"): value = 63
            case UInt8(ascii: "="): return finish(&out, accumulator, count)
            default: continue
            }
            accumulator = accumulator << 6 | value
            count += 1
            if count == 4 {
                out.append(UInt8(truncatingIfNeeded: accumulator >> 16))
                out.append(UInt8(truncatingIfNeeded: accumulator >> 8))
                out.append(UInt8(truncatingIfNeeded: accumulator))
                accumulator = 0
                count = 0
            }
        }
        return finish(&out, accumulator, count)
    }

    private static func finish(_ out: inout [UInt8], _ accumulator: UInt32, _ count: Int) -> [UInt8] {
        if count == 2 {
            out.append(UInt8(truncatingIfNeeded: accumulator >> 4))
        } else if count == 3 {
            out.append(UInt8(truncatingIfNeeded: accumulator >> 10))
            out.append(UInt8(truncatingIfNeeded: accumulator >> 2))
        }
        return out
    }
}
