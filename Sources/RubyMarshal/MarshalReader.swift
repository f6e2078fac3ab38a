/// Reads one Marshal 4.8 document from a byte buffer.
///
/// A plain state machine over the bytes: an offset, the symbol table, and the object table
/// Ruby numbers links against. Every read is bounds-checked; declared lengths are checked
/// against the remaining bytes before anything is allocated; recursion is bounded by
/// `MarshalLimits.maxDepth`.
struct MarshalReader {
    /// A decoded value with the size facts link checks need: how many array/hash levels it
    /// nests (`height`) and how many values it expands to (`nodes`).
    struct Node {
        var value: RubyValue
        var height: Int
        var nodes: Int

        init(_ value: RubyValue, height: Int = 0, nodes: Int = 1) {
            self.value = value
            self.height = height
            self.nodes = nodes
        }
    }

    private let bytes: UnsafeBufferPointer<UInt8>
    private let limits: MarshalLimits
    private(set) var offset = 0
    private var symbols: [String] = []
    /// Ruby's object table; `nil` marks an object still being read.
    private var objects: [Node?] = []
    private var expandedNodes = 0
    private var nextNode = 0
    private(set) var links: [MarshalDocument.Link] = []

    private init(bytes: UnsafeBufferPointer<UInt8>, limits: MarshalLimits) {
        self.bytes = bytes
        self.limits = limits
        // Room for an MCollective envelope's symbols and objects without regrowing; a longer
        // document grows the tables as usual.
        symbols.reserveCapacity(Swift.min(bytes.count / 4, 32))
        objects.reserveCapacity(Swift.min(bytes.count / 4, 64))
    }

    /// Reads the header and one value; `consumed` is the offset just after it.
    static func read(_ bytes: UnsafeBufferPointer<UInt8>, limits: MarshalLimits) throws(MarshalError)
        -> (document: MarshalDocument, consumed: Int)
    {
        var reader = MarshalReader(bytes: bytes, limits: limits)
        try reader.readHeader()
        let node = try reader.readValue(depth: 0)
        return (MarshalDocument(value: node.value, links: reader.links), reader.offset)
    }

    // MARK: Primitives

    private var remaining: Int { bytes.count - offset }

    private mutating func readHeader() throws(MarshalError) {
        guard bytes.count >= 2 else {
            if let first = bytes.first, first != RubyMarshal.majorVersion {
                throw .badHeader(major: first, minor: 0)
            }
            throw .truncated(offset: bytes.count)
        }
        let major = bytes[0]
        let minor = bytes[1]
        guard major == RubyMarshal.majorVersion, minor <= RubyMarshal.minorVersion else {
            throw .badHeader(major: major, minor: minor)
        }
        offset = 2
    }

    private mutating func readByte() throws(MarshalError) -> UInt8 {
        guard offset < bytes.count else { throw .truncated(offset: offset) }
        let byte = bytes[offset]
        offset += 1
        return byte
    }

    /// Marshal's packed integer (`w_long`): one byte for -123…122, else a signed byte count
    /// (at most 4) followed by little-endian bytes.
    private mutating func readLong() throws(MarshalError) -> Int {
        let lead = Int(Int8(bitPattern: try readByte()))
        if lead == 0 { return 0 }
        if lead > 4 { return lead - 5 }
        if lead < -4 { return lead + 5 }
        let count = Int(lead.magnitude)
        guard remaining >= count else { throw .truncated(offset: bytes.count) }
        var value = lead > 0 ? 0 : -1
        for index in 0..<count {
            let shift = 8 * index
            value &= ~(0xFF << shift)
            value |= Int(bytes[offset + index]) << shift
        }
        offset += count
        return value
    }

    /// A length or count, each unit of which needs at least `unit` more bytes of input.
    private mutating func readLength(unit: Int) throws(MarshalError) -> Int {
        let start = offset
        let length = try readLong()
        guard length >= 0, length <= remaining / unit else { throw .invalidLength(length, offset: start) }
        return length
    }

    /// The next `count` bytes, which `readLength` has already checked are there.
    private mutating func take(_ count: Int) -> UnsafeBufferPointer<UInt8> {
        let slice = UnsafeBufferPointer(rebasing: bytes[offset..<offset + count])
        offset += count
        return slice
    }

    private mutating func countNodes(_ count: Int, at start: Int) throws(MarshalError) {
        guard count <= limits.maxNodes - expandedNodes else { throw .tooLarge(offset: start) }
        expandedNodes += count
    }

    private mutating func register(at start: Int) throws(MarshalError) -> Int {
        guard objects.count < limits.maxObjects else { throw .tooManyObjects(offset: start) }
        objects.append(nil)
        return objects.count - 1
    }

    // MARK: Values

    /// Reads one value of the tree (the root, an array element, a hash key or value).
    private mutating func readValue(depth: Int) throws(MarshalError) -> Node {
        let start = offset
        let node = nextNode
        nextNode += 1
        try countNodes(1, at: start)
        let tag = try readByte()
        if tag == MarshalTag.ivar {
            let innerStart = offset
            let inner = try readByte()
            return try readObject(tag: inner, at: innerStart, depth: depth, node: node, hasIvars: true)
        }
        return try readObject(tag: tag, at: start, depth: depth, node: node, hasIvars: false)
    }

    /// Reads a value that is not part of the tree (an instance variable, a hash default):
    /// its nodes and links are not recorded.
    private mutating func readDetachedValue(depth: Int) throws(MarshalError) -> RubyValue {
        let savedNode = nextNode
        let savedLinks = links.count
        defer {
            nextNode = savedNode
            links.removeSubrange(savedLinks..<links.count)
        }
        return try readValue(depth: depth).value
    }

    private mutating func readObject(tag: UInt8, at start: Int, depth: Int, node: Int, hasIvars: Bool)
        throws(MarshalError) -> Node
    {
        let result: Node
        switch tag {
        case MarshalTag.string:
            return try readString(at: start, depth: depth, hasIvars: hasIvars)
        case MarshalTag.regexp:
            return try readRegexp(at: start, depth: depth, hasIvars: hasIvars)
        case MarshalTag.symbol:
            return Node(.symbol(try readSymbolBody(depth: depth, hasIvars: hasIvars)))
        case MarshalTag.nil:
            result = Node(.nil)
        case MarshalTag.true:
            result = Node(.bool(true))
        case MarshalTag.false:
            result = Node(.bool(false))
        case MarshalTag.fixnum:
            result = Node(.int(try readLong()))
        case MarshalTag.bignum:
            result = try readBignum(at: start)
        case MarshalTag.float:
            result = try readFloat(at: start)
        case MarshalTag.symlink:
            result = Node(.symbol(try readSymlink(at: start)))
        case MarshalTag.array:
            result = try readArray(at: start, depth: depth)
        case MarshalTag.hash, MarshalTag.hashWithDefault:
            result = try readHash(at: start, depth: depth, withDefault: tag == MarshalTag.hashWithDefault)
        case MarshalTag.link:
            result = try readLink(at: start, depth: depth, node: node)
        default:
            throw .unsupportedType(byte: tag, offset: start)
        }
        if hasIvars { _ = try readIvars(depth: depth) }
        return result
    }

    private mutating func readString(at start: Int, depth: Int, hasIvars: Bool) throws(MarshalError) -> Node {
        let index = try register(at: start)
        let length = try readLength(unit: 1)
        let contents = Array(take(length))
        var encoding = RubyEncoding.binary
        if hasIvars, let declared = try readIvars(depth: depth) { encoding = declared }
        let result = Node(.string(RubyString(bytes: contents, encoding: encoding)))
        objects[index] = result
        return result
    }

    private mutating func readRegexp(at start: Int, depth: Int, hasIvars: Bool) throws(MarshalError) -> Node {
        let length = try readLength(unit: 1)
        let pattern = String(decoding: take(length), as: UTF8.self)
        let options = try readByte()
        let index = try register(at: start)
        if hasIvars { _ = try readIvars(depth: depth) }
        let result = Node(.regexp(pattern: pattern, options: options))
        objects[index] = result
        return result
    }

    private mutating func readFloat(at start: Int) throws(MarshalError) -> Node {
        let index = try register(at: start)
        let length = try readLength(unit: 1)
        guard let value = FloatText.parseMarshal(take(length)) else { throw .invalidFloat(offset: start) }
        let result = Node(.float(value))
        objects[index] = result
        return result
    }

    private mutating func readBignum(at start: Int) throws(MarshalError) -> Node {
        let index = try register(at: start)
        let signOffset = offset
        let sign = try readByte()
        guard sign == MarshalTag.plus || sign == MarshalTag.minus else {
            throw .invalidBignumSign(byte: sign, offset: signOffset)
        }
        let lengthOffset = offset
        let shorts = try readLength(unit: 2)
        guard shorts * 2 <= limits.maxBignumBytes else { throw .tooLarge(offset: lengthOffset) }
        let magnitude = Array(take(shorts * 2))
        let result = Node(RubyInteger.value(negative: sign == MarshalTag.minus, magnitude: magnitude))
        objects[index] = result
        return result
    }

    private mutating func readArray(at start: Int, depth: Int) throws(MarshalError) -> Node {
        guard depth < limits.maxDepth else { throw .tooDeep(offset: start) }
        let count = try readLength(unit: 1)
        guard count <= limits.maxCollectionCount else { throw .tooLarge(offset: start) }
        let index = try register(at: start)
        var elements: [RubyValue] = []
        elements.reserveCapacity(Swift.min(count, 1024))
        var height = 0
        var nodes = 1
        for _ in 0..<count {
            let element = try readValue(depth: depth + 1)
            elements.append(element.value)
            height = Swift.max(height, element.height)
            nodes += element.nodes
        }
        let result = Node(.array(elements), height: height + 1, nodes: nodes)
        objects[index] = result
        return result
    }

    private mutating func readHash(at start: Int, depth: Int, withDefault: Bool) throws(MarshalError) -> Node {
        guard depth < limits.maxDepth else { throw .tooDeep(offset: start) }
        let count = try readLength(unit: 2)
        guard count <= limits.maxCollectionCount else { throw .tooLarge(offset: start) }
        let index = try register(at: start)
        var builder = RubyHashBuilder(expectedCount: count)
        var height = 0
        var nodes = 1
        for _ in 0..<count {
            let key = try readValue(depth: depth + 1)
            let value = try readValue(depth: depth + 1)
            builder.insert(key: key.value, value: value.value)
            height = Swift.max(height, key.height, value.height)
            nodes += key.nodes + value.nodes
        }
        if withDefault { _ = try readDetachedValue(depth: depth + 1) }
        let result = Node(.hash(builder.hash), height: height + 1, nodes: nodes)
        objects[index] = result
        return result
    }

    private mutating func readLink(at start: Int, depth: Int, node: Int) throws(MarshalError) -> Node {
        let index = try readLong()
        guard index >= 0, index < objects.count else { throw .badLink(index: index, offset: start) }
        guard let target = objects[index] else { throw .recursiveLink(index: index, offset: start) }
        guard depth + target.height <= limits.maxDepth else { throw .tooDeep(offset: start) }
        try countNodes(target.nodes - 1, at: start)
        links.append(MarshalDocument.Link(node: node, object: index))
        return target
    }

    // MARK: Symbols and instance variables

    private mutating func readSymbolBody(depth: Int, hasIvars: Bool) throws(MarshalError) -> String {
        let length = try readLength(unit: 1)
        let name = String(decoding: take(length), as: UTF8.self)
        symbols.append(name)
        if hasIvars { _ = try readIvars(depth: depth) }
        return name
    }

    private mutating func readSymlink(at start: Int) throws(MarshalError) -> String {
        let index = try readLong()
        guard index >= 0, index < symbols.count else { throw .badSymbolLink(index: index, offset: start) }
        return symbols[index]
    }

    /// A Symbol where only a Symbol may stand (an instance variable's name).
    private mutating func readSymbol(depth: Int) throws(MarshalError) -> String {
        let start = offset
        let tag = try readByte()
        switch tag {
        case MarshalTag.symbol:
            return try readSymbolBody(depth: depth, hasIvars: false)
        case MarshalTag.symlink:
            return try readSymlink(at: start)
        case MarshalTag.ivar:
            let innerStart = offset
            let inner = try readByte()
            guard inner == MarshalTag.symbol else { throw .expectedSymbol(byte: inner, offset: innerStart) }
            return try readSymbolBody(depth: depth, hasIvars: true)
        default:
            throw .expectedSymbol(byte: tag, offset: start)
        }
    }

    /// Reads an instance-variable list, returning the String encoding it declares (`E` or
    /// `encoding`); other variables (`K` on keyword hashes, user ivars) are read and dropped.
    private mutating func readIvars(depth: Int) throws(MarshalError) -> RubyEncoding? {
        let start = offset
        let count = try readLength(unit: 2)
        guard count > 0 else { return nil }
        guard depth <= limits.maxDepth else { throw .tooDeep(offset: start) }
        var encoding: RubyEncoding?
        for _ in 0..<count {
            let name = try readSymbol(depth: depth + 1)
            // Nearly every String carries exactly `E` => true/false: read that boolean in place
            // (the same checks and counts as the general path below, without its bookkeeping).
            if name == "E", offset < bytes.count, bytes[offset] == MarshalTag.true || bytes[offset] == MarshalTag.false {
                try countNodes(1, at: offset)
                encoding = bytes[offset] == MarshalTag.true ? .utf8 : .usASCII
                offset += 1
                continue
            }
            let value = try readDetachedValue(depth: depth + 1)
            switch (name, value) {
            case ("E", .bool(let isUTF8)):
                encoding = isUTF8 ? .utf8 : .usASCII
            case ("encoding", .string(let encodingName)):
                encoding = RubyEncoding(marshalName: encodingName.text)
            default:
                continue
            }
        }
        return encoding
    }
}
