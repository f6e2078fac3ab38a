/// Writes Marshal 4.8 exactly as Ruby 3.1's `Marshal.dump` does for the values `RubyValue`
/// can hold: symbols once and then as links, encoding instance variables on Strings and
/// Regexps, Integers outside ±2^30 as Bignums, Floats in Ruby's shortest text, and a link for
/// a repeated Float that Ruby keeps as an immediate ("flonum") value.
///
/// Ruby also links any other object that appears twice; a value tree has no identity, so
/// those links are written only where a `MarshalDocument` recorded them.
struct MarshalWriter {
    private(set) var output: [UInt8]
    private var symbols = MarshalSymbolTable()
    private var objectCount = 0
    private var flonums: [UInt64: Int] = [:]
    private var encodingNames: [String: Int] = [:]
    private let links: [MarshalDocument.Link]
    private var nextLink = 0
    private var nextNode = 0

    init(output: [UInt8] = [], links: [MarshalDocument.Link] = []) {
        self.output = output
        self.links = links
        self.output.reserveCapacity(self.output.count + 256)
    }

    mutating func writeDocument(_ value: RubyValue) {
        output.append(RubyMarshal.majorVersion)
        output.append(RubyMarshal.minorVersion)
        write(value)
    }

    private mutating func write(_ value: RubyValue) {
        let node = nextNode
        nextNode += 1
        if !links.isEmpty, let target = recordedLink(at: node) {
            output.append(MarshalTag.link)
            writeLong(target)
            return
        }
        switch value {
        case .nil:
            output.append(MarshalTag.nil)
        case .bool(let flag):
            output.append(flag ? MarshalTag.true : MarshalTag.false)
        case .int(let number):
            writeInteger(number)
        case .bigInt(let negative, let magnitude):
            if let number = RubyInteger.fittingInt(negative: negative, magnitude: magnitude) {
                writeInteger(number)
            } else {
                writeBignum(negative: negative, magnitude: magnitude)
            }
        case .float(let number):
            writeFloat(number)
        case .string(let string):
            writeString(string)
        case .symbol(let name):
            writeSymbol(name)
        case .array(let elements):
            objectCount += 1
            output.append(MarshalTag.array)
            writeLong(elements.count)
            for element in elements { write(element) }
        case .hash(let hash):
            objectCount += 1
            output.append(MarshalTag.hash)
            writeLong(hash.pairs.count)
            for pair in hash.pairs {
                write(pair.key)
                write(pair.value)
            }
        case .regexp(let pattern, let options):
            writeRegexp(pattern: pattern, options: options)
        }
    }

    /// The object a recorded link at this node points to, if it points to one already written.
    private mutating func recordedLink(at node: Int) -> Int? {
        while nextLink < links.count && links[nextLink].node < node { nextLink += 1 }
        guard nextLink < links.count, links[nextLink].node == node else { return nil }
        let target = links[nextLink].object
        nextLink += 1
        return target >= 0 && target < objectCount ? target : nil
    }

    // MARK: Numbers

    private static let fixnumRange = -(1 << 30)...((1 << 30) - 1)

    private mutating func writeInteger(_ number: Int) {
        if Self.fixnumRange.contains(number) {
            output.append(MarshalTag.fixnum)
            writeLong(number)
            return
        }
        // Ruby promotes it to a Bignum object: it takes an object number.
        objectCount += 1
        output.append(MarshalTag.bignum)
        output.append(number < 0 ? MarshalTag.minus : MarshalTag.plus)
        var magnitude = UInt64(number.magnitude)
        let byteCount = (64 - magnitude.leadingZeroBitCount + 7) / 8
        let shorts = (byteCount + 1) / 2
        writeLong(shorts)
        for _ in 0..<(shorts * 2) {
            output.append(UInt8(truncatingIfNeeded: magnitude))
            magnitude >>= 8
        }
    }

    private mutating func writeBignum(negative: Bool, magnitude: [UInt8]) {
        var length = magnitude.count
        while length > 0 && magnitude[length - 1] == 0 { length -= 1 }
        objectCount += 1
        output.append(MarshalTag.bignum)
        output.append(negative ? MarshalTag.minus : MarshalTag.plus)
        let shorts = (length + 1) / 2
        writeLong(shorts)
        output.append(contentsOf: magnitude[0..<length])
        if length % 2 == 1 { output.append(0) }
    }

    private mutating func writeFloat(_ number: Double) {
        let bits = number.bitPattern
        if Self.isFlonum(bits) {
            if let earlier = flonums[bits] {
                output.append(MarshalTag.link)
                writeLong(earlier)
                return
            }
            flonums[bits] = objectCount
        }
        objectCount += 1
        output.append(MarshalTag.float)
        writeBytes(FloatText.marshal(number).utf8)
    }

    /// Whether 64-bit Ruby stores this Double as an immediate value: +0.0, or a binary
    /// exponent within about ±255 (the top three exponent bits are 011 or 100). Equal
    /// flonums are the same object, so `Marshal.dump` links the second one.
    static func isFlonum(_ bits: UInt64) -> Bool {
        if bits == 0 { return true }
        let top = (bits >> 60) & 0x7
        return bits != 0x3000_0000_0000_0000 && (top == 3 || top == 4)
    }

    /// `w_long`: see `MarshalReader.readLong`.
    private mutating func writeLong(_ number: Int) {
        if number == 0 {
            output.append(0)
        } else if number > 0 && number < 123 {
            output.append(UInt8(number + 5))
        } else if number > -124 && number < 0 {
            output.append(UInt8(truncatingIfNeeded: number - 5))
        } else {
            let lengthPosition = output.count
            output.append(0)
            var rest = number
            var count = 0
            repeat {
                output.append(UInt8(truncatingIfNeeded: rest))
                rest >>= 8
                count += 1
            } while rest != 0 && rest != -1
            output[lengthPosition] = UInt8(truncatingIfNeeded: rest == 0 ? count : -count)
        }
    }

    private mutating func writeBytes(_ bytes: some Collection<UInt8>) {
        writeLong(bytes.count)
        output.append(contentsOf: bytes)
    }

    // MARK: Strings, symbols, regexps

    private mutating func writeString(_ string: RubyString) {
        objectCount += 1
        let encoding = string.encoding.canonical
        if case .binary = encoding {
            output.append(MarshalTag.string)
            writeBytes(string.bytes)
            return
        }
        output.append(MarshalTag.ivar)
        output.append(MarshalTag.string)
        writeBytes(string.bytes)
        writeLong(1)
        writeEncoding(encoding)
    }

    private mutating func writeEncoding(_ encoding: RubyEncoding) {
        switch encoding {
        case .binary:
            return
        case .utf8, .usASCII:
            writeSymbol("E")
            output.append(encoding == .utf8 ? MarshalTag.true : MarshalTag.false)
        case .named(let name):
            writeSymbol("encoding")
            if let earlier = encodingNames[name] {
                output.append(MarshalTag.link)
                writeLong(earlier)
            } else {
                encodingNames[name] = objectCount
                objectCount += 1
                output.append(MarshalTag.string)
                writeBytes(name.utf8)
            }
        }
    }

    private mutating func writeSymbol(_ name: String) {
        if let index = symbols.number(of: name) {
            output.append(MarshalTag.symlink)
            writeLong(index)
            return
        }
        let isASCII = name.utf8.allSatisfy { $0 < 0x80 }
        if !isASCII { output.append(MarshalTag.ivar) }
        output.append(MarshalTag.symbol)
        writeBytes(name.utf8)
        symbols.add(name)
        if !isASCII {
            writeLong(1)
            writeEncoding(.utf8)
        }
    }

    private mutating func writeRegexp(pattern: String, options: UInt8) {
        objectCount += 1
        // Ruby gives an ASCII-only Regexp US-ASCII, others UTF-8, and `/…/n` ASCII-8BIT (no ivar).
        let encoding: RubyEncoding
        if pattern.utf8.allSatisfy({ $0 < 0x80 }) {
            encoding = .usASCII
        } else {
            encoding = options & 32 != 0 ? .binary : .utf8
        }
        if encoding != .binary { output.append(MarshalTag.ivar) }
        output.append(MarshalTag.regexp)
        writeBytes(pattern.utf8)
        output.append(options)
        if encoding != .binary {
            writeLong(1)
            writeEncoding(encoding)
        }
    }
}
