/// A strict RFC 8259 JSON reader producing `RubyValue`s as Ruby's `JSON.parse` does:
/// objects become Hashes with (UTF-8) String keys, a repeated key keeps its first position
/// and its last value, integers stay exact (`.int`, or `.bigInt` beyond `Int`), numbers with
/// a fraction or exponent are Floats. Nesting is bounded by `maxNesting`.
struct JSONReader {
    private let bytes: [UInt8]
    private let maxNesting: Int
    private var offset = 0

    init(bytes: [UInt8], maxNesting: Int) {
        self.bytes = bytes
        self.maxNesting = maxNesting
    }

    mutating func readDocument() throws(JSONParseError) -> RubyValue {
        skipWhitespace()
        let value = try readValue(depth: 0)
        skipWhitespace()
        guard offset == bytes.count else { throw fail("unexpected token") }
        return value
    }

    private func fail(_ message: String) -> JSONParseError {
        JSONParseError(message: message, offset: offset)
    }

    private mutating func skipWhitespace() {
        while offset < bytes.count {
            switch bytes[offset] {
            case 0x20, 0x09, 0x0A, 0x0D: offset += 1
            default: return
            }
        }
    }

    private mutating func readValue(depth: Int) throws(JSONParseError) -> RubyValue {
        guard offset < bytes.count else { throw fail("unexpected end of input") }
        switch bytes[offset] {
        case UInt8(ascii: "{"): return try readObject(depth: depth + 1)
        case UInt8(ascii: "["): return try readArray(depth: depth + 1)
        case UInt8(ascii: "\""): return .str(try readString())
        case UInt8(ascii: "t"): return try readLiteral("true", .bool(true))
        case UInt8(ascii: "f"): return try readLiteral("false", .bool(false))
        case UInt8(ascii: "n"): return try readLiteral("null", .nil)
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return try readNumber()
        default: throw fail("unexpected token")
        }
    }

    private mutating func readLiteral(_ word: StaticString, _ value: RubyValue) throws(JSONParseError) -> RubyValue {
        let count = word.utf8CodeUnitCount
        guard bytes.count - offset >= count else { throw fail("unexpected token") }
        let matches = word.withUTF8Buffer { expected in
            expected.elementsEqual(bytes[offset..<offset + count])
        }
        guard matches else { throw fail("unexpected token") }
        offset += count
        return value
    }

    private mutating func readObject(depth: Int) throws(JSONParseError) -> RubyValue {
        guard depth <= maxNesting else { throw fail("nesting of \(depth) is too deep") }
        offset += 1
        var builder = RubyHashBuilder(expectedCount: 8)
        skipWhitespace()
        if offset < bytes.count && bytes[offset] == UInt8(ascii: "}") {
            offset += 1
            return .hash(builder.hash)
        }
        while true {
            skipWhitespace()
            guard offset < bytes.count, bytes[offset] == UInt8(ascii: "\"") else {
                throw fail("expected object key")
            }
            let key = try readString()
            skipWhitespace()
            guard offset < bytes.count, bytes[offset] == UInt8(ascii: ":") else { throw fail("expected ':'") }
            offset += 1
            skipWhitespace()
            let value = try readValue(depth: depth)
            builder.insert(key: .str(key), value: value)
            skipWhitespace()
            guard offset < bytes.count else { throw fail("unexpected end of input") }
            if bytes[offset] == UInt8(ascii: ",") {
                offset += 1
                continue
            }
            guard bytes[offset] == UInt8(ascii: "}") else { throw fail("expected ',' or '}'") }
            offset += 1
            return .hash(builder.hash)
        }
    }

    private mutating func readArray(depth: Int) throws(JSONParseError) -> RubyValue {
        guard depth <= maxNesting else { throw fail("nesting of \(depth) is too deep") }
        offset += 1
        var elements: [RubyValue] = []
        skipWhitespace()
        if offset < bytes.count && bytes[offset] == UInt8(ascii: "]") {
            offset += 1
            return .array(elements)
        }
        while true {
            skipWhitespace()
            elements.append(try readValue(depth: depth))
            skipWhitespace()
            guard offset < bytes.count else { throw fail("unexpected end of input") }
            if bytes[offset] == UInt8(ascii: ",") {
                offset += 1
                continue
            }
            guard bytes[offset] == UInt8(ascii: "]") else { throw fail("expected ',' or ']'") }
            offset += 1
            return .array(elements)
        }
    }

    private mutating func readString() throws(JSONParseError) -> String {
        offset += 1  // opening quote
        var scalars = String.UnicodeScalarView()
        var runStart = offset
        func flushRun(_ end: Int, into scalars: inout String.UnicodeScalarView) {
            if end > runStart {
                scalars.append(contentsOf: String(decoding: bytes[runStart..<end], as: UTF8.self).unicodeScalars)
            }
        }
        while offset < bytes.count {
            let byte = bytes[offset]
            switch byte {
            case UInt8(ascii: "\""):
                flushRun(offset, into: &scalars)
                offset += 1
                return String(scalars)
            case UInt8(ascii: "\\"):
                flushRun(offset, into: &scalars)
                offset += 1
                scalars.append(try readEscape())
                runStart = offset
            case 0x00..<0x20:
                throw fail("control character in string")
            default:
                offset += 1
            }
        }
        throw fail("unterminated string")
    }

    private mutating func readEscape() throws(JSONParseError) -> Unicode.Scalar {
        guard offset < bytes.count else { throw fail("unterminated string") }
        let byte = bytes[offset]
        offset += 1
        switch byte {
        case UInt8(ascii: "\""): return "\""
        case UInt8(ascii: "\\"): return "\\"
        case UInt8(ascii: "/"): return "/"
        case UInt8(ascii: "b"): return "\u{08}"
        case UInt8(ascii: "f"): return "\u{0C}"
        case UInt8(ascii: "n"): return "\n"
        case UInt8(ascii: "r"): return "\r"
        case UInt8(ascii: "t"): return "\t"
        case UInt8(ascii: "u"):
            let unit = try readHex4()
            if (0xD800..<0xDC00).contains(unit), bytes.count - offset >= 6, bytes[offset] == UInt8(ascii: "\\"),
                bytes[offset + 1] == UInt8(ascii: "u")
            {
                let save = offset
                offset += 2
                let low = try readHex4()
                if (0xDC00..<0xE000).contains(low) {
                    let value = 0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00)
                    return Unicode.Scalar(value) ?? "\u{FFFD}"
                }
                offset = save
            }
            return Unicode.Scalar(unit) ?? "\u{FFFD}"
        default:
            offset -= 1
            throw fail("invalid escape")
        }
    }

    private mutating func readHex4() throws(JSONParseError) -> UInt32 {
        guard bytes.count - offset >= 4 else { throw fail("incomplete unicode escape") }
        var value: UInt32 = 0
        for _ in 0..<4 {
            let byte = bytes[offset]
            let digit: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
            default: throw fail("invalid unicode escape")
            }
            value = value << 4 | UInt32(digit)
            offset += 1
        }
        return value
    }

    private mutating func readNumber() throws(JSONParseError) -> RubyValue {
        let start = offset
        let negative = bytes[offset] == UInt8(ascii: "-")
        if negative { offset += 1 }
        let integerStart = offset
        guard offset < bytes.count, isDigit(bytes[offset]) else { throw fail("invalid number") }
        if bytes[offset] == UInt8(ascii: "0") {
            offset += 1
            if offset < bytes.count && isDigit(bytes[offset]) { throw fail("invalid number") }
        } else {
            while offset < bytes.count && isDigit(bytes[offset]) { offset += 1 }
        }
        let integerEnd = offset
        var isFloat = false
        if offset < bytes.count && bytes[offset] == UInt8(ascii: ".") {
            isFloat = true
            offset += 1
            guard offset < bytes.count, isDigit(bytes[offset]) else { throw fail("invalid number") }
            while offset < bytes.count && isDigit(bytes[offset]) { offset += 1 }
        }
        if offset < bytes.count && (bytes[offset] == UInt8(ascii: "e") || bytes[offset] == UInt8(ascii: "E")) {
            isFloat = true
            offset += 1
            if offset < bytes.count && (bytes[offset] == UInt8(ascii: "+") || bytes[offset] == UInt8(ascii: "-")) {
                offset += 1
            }
            guard offset < bytes.count, isDigit(bytes[offset]) else { throw fail("invalid number") }
            while offset < bytes.count && isDigit(bytes[offset]) { offset += 1 }
        }
        if isFloat {
            guard let value = Double(String(decoding: bytes[start..<offset], as: UTF8.self)) else {
                throw JSONParseError(message: "invalid number", offset: start)
            }
            return .float(value)
        }
        let digits = bytes[integerStart..<integerEnd]
        guard digits.count <= 4096 else { throw JSONParseError(message: "number too large", offset: start) }
        if digits.count <= 18 {
            var value = 0
            for digit in digits { value = value * 10 + Int(digit - UInt8(ascii: "0")) }
            return .int(negative ? -value : value)
        }
        return RubyInteger.value(negative: negative, magnitude: RubyInteger.magnitude(decimalDigits: digits))
    }

    private func isDigit(_ byte: UInt8) -> Bool {
        byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")
    }
}
