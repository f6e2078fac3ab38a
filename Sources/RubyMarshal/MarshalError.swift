/// Why a byte sequence is not a Ruby Marshal 4.8 document this codec accepts.
///
/// Every case carries the byte offset (from the start of the input) where the problem was
/// found, so a bad frame can be reported precisely. Decoding never traps: any input yields
/// either a value or one of these errors.
public enum MarshalError: Error, Sendable, Hashable {
    /// The input ended in the middle of a value.
    case truncated(offset: Int)
    /// The first two bytes are not a Marshal 4.x header this reader understands (`04 08`).
    case badHeader(major: UInt8, minor: UInt8)
    /// A type byte this codec does not decode (user classes, objects, structs, …) or a
    /// construct it rejects (an ivar wrapper directly inside another).
    case unsupportedType(byte: UInt8, offset: Int)
    /// An object link (`@`) to an index that has not been read yet.
    case badLink(index: Int, offset: Int)
    /// An object link to an object that is still being read (a cycle such as `a = []; a << a`).
    case recursiveLink(index: Int, offset: Int)
    /// A symbol link (`;`) to an index that has not been read yet.
    case badSymbolLink(index: Int, offset: Int)
    /// A Symbol was required (an instance-variable name) but another type byte was found.
    case expectedSymbol(byte: UInt8, offset: Int)
    /// A declared length or count that is negative or larger than the bytes that remain.
    case invalidLength(Int, offset: Int)
    /// A Float whose text is not a number Ruby writes.
    case invalidFloat(offset: Int)
    /// A Bignum whose sign byte is neither `+` nor `-`.
    case invalidBignumSign(byte: UInt8, offset: Int)
    /// Nesting deeper than `MarshalLimits.maxDepth`.
    case tooDeep(offset: Int)
    /// More objects than `MarshalLimits.maxObjects`.
    case tooManyObjects(offset: Int)
    /// The value would be larger than the limits allow (`maxNodes` after expanding links,
    /// or a Bignum longer than `maxBignumBytes`).
    case tooLarge(offset: Int)
    /// A complete value was read but bytes remain after it.
    case trailingBytes(offset: Int)

    /// The byte offset the error refers to (0 for a bad header).
    public var offset: Int {
        switch self {
        case .badHeader: return 0
        case .truncated(let offset), .invalidFloat(let offset), .tooDeep(let offset),
            .tooManyObjects(let offset), .tooLarge(let offset), .trailingBytes(let offset):
            return offset
        case .unsupportedType(_, let offset), .badLink(_, let offset), .recursiveLink(_, let offset),
            .badSymbolLink(_, let offset), .expectedSymbol(_, let offset), .invalidLength(_, let offset),
            .invalidBignumSign(_, let offset):
            return offset
        }
    }
}

extension MarshalError: CustomStringConvertible {
    public var description: String {
        switch self {
        case .truncated(let offset):
            return "marshal data too short (truncated at offset \(offset))"
        case .badHeader(let major, let minor):
            return "incompatible marshal file format: version 4.8 required; \(major).\(minor) given"
        case .unsupportedType(let byte, let offset):
            return "unsupported marshal type \(Self.describe(byte)) at offset \(offset)"
        case .badLink(let index, let offset):
            return "object link to unknown index \(index) at offset \(offset)"
        case .recursiveLink(let index, let offset):
            return "object link to unfinished object \(index) at offset \(offset)"
        case .badSymbolLink(let index, let offset):
            return "symbol link to unknown index \(index) at offset \(offset)"
        case .expectedSymbol(let byte, let offset):
            return "expected a symbol, found \(Self.describe(byte)) at offset \(offset)"
        case .invalidLength(let length, let offset):
            return "invalid length \(length) at offset \(offset)"
        case .invalidFloat(let offset):
            return "invalid float text at offset \(offset)"
        case .invalidBignumSign(let byte, let offset):
            return "invalid bignum sign \(Self.describe(byte)) at offset \(offset)"
        case .tooDeep(let offset):
            return "marshal data nested too deeply at offset \(offset)"
        case .tooManyObjects(let offset):
            return "too many objects at offset \(offset)"
        case .tooLarge(let offset):
            return "marshal value too large at offset \(offset)"
        case .trailingBytes(let offset):
            return "trailing bytes after the value at offset \(offset)"
        }
    }

    private static func describe(_ byte: UInt8) -> String {
        let hex = String(byte, radix: 16, uppercase: true)
        let code = "0x" + (hex.count < 2 ? "0" + hex : hex)
        if byte >= 0x21 && byte < 0x7F {
            return "'\(Character(Unicode.Scalar(byte)))' (\(code))"
        }
        return code
    }
}
