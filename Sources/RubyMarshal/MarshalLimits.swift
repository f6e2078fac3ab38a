/// Bounds that keep decoding of untrusted bytes cheap and predictable.
///
/// Independently of these, a declared length or count is never trusted beyond the bytes
/// that remain, so allocation is always proportional to the input.
public struct MarshalLimits: Sendable, Hashable {
    /// Maximum nesting of arrays and hashes, counting the nesting of linked (`@`) objects
    /// where they are reused. Recursion in the decoder never goes deeper than this plus two.
    public var maxDepth: Int
    /// Maximum number of objects (strings, arrays, hashes, floats, bignums, regexps) in one
    /// document.
    public var maxObjects: Int
    /// Maximum number of values in the decoded tree after expanding object links; keeps a
    /// small document full of links from becoming a huge value for later consumers.
    public var maxNodes: Int
    /// Maximum magnitude size of a Bignum, in bytes.
    public var maxBignumBytes: Int
    /// Maximum number of elements in one Array, or pairs in one Hash (Marshal and YAML alike);
    /// checked on the declared count, before any element is read.
    public var maxCollectionCount: Int

    public init(
        maxDepth: Int = 64, maxObjects: Int = 1_000_000, maxNodes: Int = 4_000_000, maxBignumBytes: Int = 1024,
        maxCollectionCount: Int = .max
    ) {
        self.maxDepth = maxDepth
        self.maxObjects = maxObjects
        self.maxNodes = maxNodes
        self.maxBignumBytes = maxBignumBytes
        self.maxCollectionCount = maxCollectionCount
    }

    /// Depth 64, one million objects, four million expanded values, 1 KiB bignums, collections
    /// bounded only by the other limits.
    public static let `default` = MarshalLimits()
}
