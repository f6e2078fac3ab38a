import RubyMarshal

/// Where a node's facts come from (MCollective's facts plugin type).
public protocol FactSource: Sendable {
    /// The current facts, normalised; cheap to call per request (sources cache).
    func facts() -> RubyHash
}

/// MCollective's fact normalisation (facts/base.rb): keys become Strings, scalars become
/// their `to_s`, arrays and hashes are normalised element by element.
public enum FactNormalizer {
    public static func normalize(_ value: RubyValue) -> RubyValue {
        switch value {
        case .array(let items): return .array(items.map(normalize))
        case .hash(let hash):
            var out = RubyHash()
            for pair in hash.pairs { out.set(normalize(pair.value), for: .str(toS(pair.key))) }
            return .hash(out)
        default: return .str(toS(value))
        }
    }

    /// Ruby's `to_s` for a scalar.
    public static func toS(_ value: RubyValue) -> String {
        switch value {
        case .nil: return ""
        case .string(let s): return s.text
        case .symbol(let s): return s
        default: return value.inspect
        }
    }
}
