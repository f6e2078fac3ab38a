/// Ruby Marshal 4.8: the binary format MCollective's envelopes and bodies travel in.
///
/// ```swift
/// let envelope = try RubyMarshal.decode(frame.body)
/// let bytes = RubyMarshal.encode(.hash(RubyHash(symbolKeys: ["pong": 1795542545])))
/// ```
///
/// Decoding is total: every byte sequence yields a value or a `MarshalError`, within the
/// bounds of `MarshalLimits`. Encoding writes exactly what Ruby 3.1's `Marshal.dump` writes
/// for the same objects.
public enum RubyMarshal {
    /// The format's major version: the first byte of every document.
    public static let majorVersion: UInt8 = 4
    /// The minor version written (the second byte); documents with a lower minor also load.
    public static let minorVersion: UInt8 = 8

    // MARK: Decoding

    /// Decodes one complete Marshal document; bytes after the value are an error.
    public static func decode(_ bytes: some Collection<UInt8>, limits: MarshalLimits = .default) throws(MarshalError)
        -> RubyValue
    {
        try withBuffer(bytes) { (buffer) throws(MarshalError) in
            let result = try MarshalReader.read(buffer, limits: limits)
            guard result.consumed == buffer.count else { throw .trailingBytes(offset: result.consumed) }
            return result.document.value
        }
    }

    /// Decodes one complete Marshal document held in an Array (the common case: envelopes and
    /// bodies), without the generic collection path.
    public static func decode(_ bytes: [UInt8], limits: MarshalLimits = .default) throws(MarshalError) -> RubyValue {
        try bytes.withUnsafeBufferPointer { (buffer) throws(MarshalError) in
            let result = try MarshalReader.read(buffer, limits: limits)
            guard result.consumed == buffer.count else { throw .trailingBytes(offset: result.consumed) }
            return result.document.value
        }
    }

    /// Decodes the Marshal document at the start of `bytes`, returning the value and how many
    /// bytes it took (header included). Bytes after it are left alone.
    public static func decodePrefix(_ bytes: some Collection<UInt8>, limits: MarshalLimits = .default)
        throws(MarshalError) -> (value: RubyValue, consumed: Int)
    {
        try withBuffer(bytes) { (buffer) throws(MarshalError) in
            let result = try MarshalReader.read(buffer, limits: limits)
            return (result.document.value, result.consumed)
        }
    }

    /// Decodes one complete Marshal document and reports where it reused objects, so that
    /// `encode(_:)` of the result gives back the same bytes.
    public static func decodeDocument(_ bytes: some Collection<UInt8>, limits: MarshalLimits = .default)
        throws(MarshalError) -> MarshalDocument
    {
        try withBuffer(bytes) { (buffer) throws(MarshalError) in
            let result = try MarshalReader.read(buffer, limits: limits)
            guard result.consumed == buffer.count else { throw .trailingBytes(offset: result.consumed) }
            return result.document
        }
    }

    // MARK: Encoding

    /// `Marshal.dump(value)`: header and value.
    public static func encode(_ value: RubyValue) -> [UInt8] {
        var bytes: [UInt8] = []
        encode(value, into: &bytes)
        return bytes
    }

    /// Appends `Marshal.dump(value)` (header and value) to `buffer`.
    public static func encode(_ value: RubyValue, into buffer: inout [UInt8]) {
        encode(MarshalDocument(value: value), into: &buffer)
    }

    /// Encodes a decoded document, writing its recorded object links again.
    public static func encode(_ document: MarshalDocument) -> [UInt8] {
        var bytes: [UInt8] = []
        encode(document, into: &bytes)
        return bytes
    }

    /// Appends the encoding of `document` to `buffer`.
    public static func encode(_ document: MarshalDocument, into buffer: inout [UInt8]) {
        var writer = MarshalWriter(output: buffer, links: document.links)
        buffer = []  // leave the writer the only owner, so appending does not copy
        writer.writeDocument(document.value)
        buffer = writer.output
    }

    // MARK: Helpers

    private static func withBuffer<R>(
        _ bytes: some Collection<UInt8>, _ body: (UnsafeBufferPointer<UInt8>) throws(MarshalError) -> R
    ) throws(MarshalError) -> R {
        let direct = bytes.withContiguousStorageIfAvailable { buffer in
            Result { () throws(MarshalError) -> R in try body(buffer) }
        }
        if let direct { return try direct.get() }
        let copy = Array(bytes)
        let result = copy.withUnsafeBufferPointer { buffer in
            Result { () throws(MarshalError) -> R in try body(buffer) }
        }
        return try result.get()
    }
}

/// The type bytes of Marshal 4.8.
enum MarshalTag {
    static let `nil`: UInt8 = 0x30  // 0
    static let `true`: UInt8 = 0x54  // T
    static let `false`: UInt8 = 0x46  // F
    static let fixnum: UInt8 = 0x69  // i
    static let bignum: UInt8 = 0x6C  // l
    static let float: UInt8 = 0x66  // f
    static let string: UInt8 = 0x22  // "
    static let symbol: UInt8 = 0x3A  // :
    static let symlink: UInt8 = 0x3B  // ;
    static let link: UInt8 = 0x40  // @
    static let ivar: UInt8 = 0x49  // I
    static let array: UInt8 = 0x5B  // [
    static let hash: UInt8 = 0x7B  // {
    static let hashWithDefault: UInt8 = 0x7D  // }
    static let regexp: UInt8 = 0x2F  // /
    static let plus: UInt8 = 0x2B  // +
    static let minus: UInt8 = 0x2D  // -
}
