import RubyMarshal

extension Filter {
    /// MCollective's filter hash: String keys `fact`, `cf_class`, `agent`, `identity`, `compound`
    /// in that order, then `collective` when set; fact entries are `{:fact=>, :value=>, :operator=>}`.
    public var rubyValue: RubyValue {
        var hash = RubyHash(stringKeys: [
            "fact": .array(facts.map(\.rubyValue)),
            "cf_class": .array(classes.map(RubyValue.str)),
            "agent": .array(agents.map(RubyValue.str)),
            "identity": .array(identities.map(RubyValue.str)),
            "compound": .array(compound.map { .array($0.map(\.rubyValue)) }),
        ])
        if let collective { hash.pairs.append(.init(key: .str("collective"), value: .str(collective))) }
        return .hash(hash)
    }

    /// Reads a filter hash as real MCollective clients send it. Keys may be Strings or Symbols;
    /// `puppet_class` is read as `cf_class`; unknown keys are ignored; `nil` or an empty hash is
    /// the empty filter.
    public init(rubyValue: RubyValue) throws(FilterError) {
        self.init()
        if rubyValue.isNil { return }
        guard case .hash(let hash) = rubyValue else { throw .malformed("the filter is not a Hash") }
        for pair in hash.pairs {
            guard let key = pair.key.stringValue else { continue }
            switch key {
            case "fact":
                facts += try Self.list(pair.value, key).map { value throws(FilterError) in try FactFilter(rubyValue: value) }
            case "cf_class", "puppet_class":
                classes += try Self.strings(pair.value, key)
            case "agent":
                agents += try Self.strings(pair.value, key)
            case "identity":
                identities += try Self.strings(pair.value, key)
            case "compound":
                compound += try Self.list(pair.value, key).map { expression throws(FilterError) in
                    try Self.list(expression, "compound expression").map { token throws(FilterError) in
                        try CompoundToken(rubyValue: token)
                    }
                }
            case "collective":
                if !pair.value.isNil {
                    guard let name = pair.value.stringValue else { throw .malformed("collective is not a String") }
                    collective = name
                }
            default:
                continue
            }
        }
    }

    private static func list(_ value: RubyValue, _ key: String) throws(FilterError) -> [RubyValue] {
        if value.isNil { return [] }
        guard let array = value.arrayValue else { throw .malformed("\(key) is not an Array") }
        return array
    }

    private static func strings(_ value: RubyValue, _ key: String) throws(FilterError) -> [String] {
        try list(value, key).map { element throws(FilterError) in
            guard let text = element.stringValue else { throw .malformed("\(key) holds a non-String entry") }
            return text
        }
    }
}

extension FactFilter {
    /// `{:fact=>"role", :value=>"web", :operator=>"=="}` (Symbol keys, UTF-8 strings).
    public var rubyValue: RubyValue {
        .hash(RubyHash(symbolKeys: ["fact": .str(fact), "value": .str(value), "operator": .str(`operator`.rawValue)]))
    }

    /// Reads a fact entry; String keys are accepted as well as Symbols, and an Integer or Float
    /// value is taken as its decimal text.
    public init(rubyValue: RubyValue) throws(FilterError) {
        guard case .hash(let hash) = rubyValue else { throw .malformed("a fact entry is not a Hash") }
        guard let fact = hash["fact"]?.stringValue else { throw .malformed("a fact entry has no :fact") }
        guard let opText = hash["operator"]?.stringValue else { throw .malformed("fact \(fact) has no :operator") }
        guard let op = FactOperator(rawValue: opText) else {
            throw .malformed("fact \(fact) has the unknown operator \(opText)")
        }
        let value: String
        switch hash["value"] {
        case .string(let s)?: value = s.text
        case .symbol(let s)?: value = s
        case .int(let i)?: value = String(i)
        case .float(let d)?: value = String(d)
        default: throw .malformed("fact \(fact) has no String :value")
        }
        self.init(fact: fact, operator: op, value: value)
    }
}
