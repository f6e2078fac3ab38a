import RubyMarshal

/// The `:key => value` properties of one DDL statement (`input :fact, :prompt => …`): each
/// key a symbol, looked up by name, with unused keys reported by `finish` so that a
/// misspelt property (`:max_length`) is an error, not silently ignored.
struct RubyDDLProperties {
    /// How the statement reads in messages: `input :fact`.
    let subject: String
    let position: RubyDDLPosition
    private var entries: [(key: String, keyPosition: RubyDDLPosition, value: RubyDDLNode)] = []
    private var used: Set<String> = []

    /// Reads a hash argument; `node` nil means the statement has no properties at all.
    init(_ node: RubyDDLNode?, subject: String, position: RubyDDLPosition) throws(RubyDDLError) {
        self.subject = subject
        self.position = position
        guard let node else { return }
        guard case .hash(let pairs) = node.expression else {
            throw RubyDDLError(node.position, "\(subject) takes :key => value properties here")
        }
        for pair in pairs {
            guard case .symbol(let key) = pair.key.expression else {
                throw RubyDDLError(pair.key.position, "\(subject): property names are symbols, as in :description => \"…\"")
            }
            if entries.contains(where: { $0.key == key }) {
                throw RubyDDLError(pair.key.position, "\(subject): the property :\(key) is given twice")
            }
            entries.append((key, pair.key.position, pair.value))
        }
    }

    func has(_ key: String) -> Bool { entries.contains { $0.key == key } }

    /// The value of `key`, nil when absent.
    mutating func take(_ key: String) -> RubyDDLNode? {
        used.insert(key)
        return entries.first { $0.key == key }?.value
    }

    /// The value of `key`; its absence is MCollective's "needs a :key property" error.
    mutating func require(_ key: String) throws(RubyDDLError) -> RubyDDLNode {
        guard let value = take(key) else { throw RubyDDLError(position, "\(subject) needs a :\(key) property") }
        return value
    }

    /// Fails on the first property nobody asked for.
    func finish() throws(RubyDDLError) {
        for entry in entries where !used.contains(entry.key) {
            let known = used.sorted().map { ":\($0)" }.joined(separator: ", ")
            throw RubyDDLError(entry.keyPosition, "\(subject): unknown property :\(entry.key) (known: \(known))")
        }
    }
}
