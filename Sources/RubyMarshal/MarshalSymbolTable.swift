/// The Symbols a `MarshalWriter` has written, numbered in the order written (what a later
/// `;n` link refers to).
///
/// Documents MCollective sends hold a dozen or two distinct Symbols, so lookups compare
/// against a short list instead of hashing; past `indexThreshold` names a dictionary takes
/// over, so a document with thousands of Symbols stays linear.
struct MarshalSymbolTable {
    private var names: [String] = []
    private var index: [String: Int]?
    private static let indexThreshold = 32

    /// The number `name` was given when first written, if it was.
    func number(of name: String) -> Int? {
        if let index { return index[name] }
        return names.firstIndex(of: name)
    }

    /// Records a newly written Symbol; returns its number.
    @discardableResult
    mutating func add(_ name: String) -> Int {
        let number = names.count
        names.append(name)
        if index != nil {
            index?[name] = number
        } else if names.count > Self.indexThreshold {
            var built: [String: Int] = [:]
            built.reserveCapacity(names.count * 2)
            for (position, existing) in names.enumerated() { built[existing] = position }
            index = built
        }
        return number
    }
}
