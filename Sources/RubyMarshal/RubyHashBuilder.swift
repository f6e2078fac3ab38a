/// Builds a `RubyHash` the way Ruby's `Hash#[]=` does when loading: a repeated key keeps its
/// first position and takes the last value. Small hashes are searched linearly; larger ones
/// get an index, so building stays linear in the number of pairs.
struct RubyHashBuilder {
    private(set) var pairs: [RubyHash.Pair] = []
    private var positions: [RubyValue: Int]?
    private static let indexThreshold = 16

    init(expectedCount: Int) {
        pairs.reserveCapacity(Swift.min(expectedCount, 512))
    }

    mutating func insert(key: RubyValue, value: RubyValue) {
        if let existing = position(of: key) {
            pairs[existing].value = value
            return
        }
        positions?[key] = pairs.count
        pairs.append(RubyHash.Pair(key: key, value: value))
        if positions == nil, pairs.count == Self.indexThreshold {
            var index: [RubyValue: Int] = [:]
            index.reserveCapacity(Self.indexThreshold * 2)
            for (offset, pair) in pairs.enumerated() { index[pair.key] = offset }
            positions = index
        }
    }

    var hash: RubyHash { RubyHash(pairs: pairs) }

    private func position(of key: RubyValue) -> Int? {
        if let positions { return positions[key] }
        return pairs.firstIndex { Self.sameKey($0.key, key) }
    }

    /// `==` on keys, with the usual key types (Symbols, Strings) compared without the general
    /// enum equality: different lengths, the common case, are told apart at once.
    private static func sameKey(_ a: RubyValue, _ b: RubyValue) -> Bool {
        switch (a, b) {
        case (.symbol(let x), .symbol(let y)):
            return x.utf8.count == y.utf8.count && x == y
        case (.string(let x), .string(let y)):
            return x.bytes.count == y.bytes.count && x == y
        case (.symbol, _), (.string, _):
            return false
        default:
            return a == b
        }
    }
}
