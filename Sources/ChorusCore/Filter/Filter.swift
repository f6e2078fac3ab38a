/// Which nodes a request is for: MCollective's filter hash (`-F`, `-C`, `-A`, `-I`, `-S`).
///
/// Every non-empty section must pass on a node (see `matches(_:)`); an empty filter
/// passes everywhere. The wire form is `rubyValue`.
public struct Filter: Sendable, Hashable {
    /// `"fact"`: every entry must hold (AND).
    public var facts: [FactFilter]
    /// `"cf_class"`: configuration management classes; `/re/` entries are regexes.
    public var classes: [String]
    /// `"agent"`: agents the node must have; `"mcollective"` always passes, `/re/` entries are regexes.
    public var agents: [String]
    /// `"identity"`: exact names or `/re/` regexes; exactly one entry must match.
    public var identities: [String]
    /// `"compound"`: one token list per `-S` expression; every expression must hold.
    public var compound: [[CompoundToken]]
    /// `"collective"`: sent by discovery requests only; nodes ignore it when matching.
    public var collective: String?

    public init(
        facts: [FactFilter] = [], classes: [String] = [], agents: [String] = [], identities: [String] = [],
        compound: [[CompoundToken]] = [], collective: String? = nil
    ) {
        self.facts = facts
        self.classes = classes
        self.agents = agents
        self.identities = identities
        self.compound = compound
        self.collective = collective
    }

    /// The empty filter (`Util.empty_filter`): selects every node.
    public static let empty = Filter()

    /// True when this is MCollective's empty filter: no entries in any section and no collective.
    ///
    /// A filter whose sections are all empty but which names a collective is *not* empty: real
    /// MCollective compares the whole hash with `empty_filter`, so such a filter matches no node.
    public var isEmpty: Bool {
        facts.isEmpty && classes.isEmpty && agents.isEmpty && identities.isEmpty && compound.isEmpty
            && collective == nil
    }
}

extension Filter {
    /// Adds a `-F` fact filter string such as `role=web` or `cores>3`.
    public mutating func addFact(_ text: String) throws(FilterError) {
        facts.append(try FactFilter.parse(text))
    }

    /// Adds a `-W` combined filter: white space separated words, each a fact filter when it parses
    /// as one (`role=web`), else a class (`web::apache`).
    public mutating func addWith(_ text: String) {
        for word in text.split(whereSeparator: \.isWhitespace) {
            if let fact = try? FactFilter.parse(String(word)) {
                facts.append(fact)
            } else {
                classes.append(String(word))
            }
        }
    }

    /// Adds a `-S` compound expression such as `(role=web or role=db) and datacenter=ams`.
    public mutating func addCompound(_ text: String) throws(FilterError) {
        compound.append(try CompoundParser.parse(text))
    }
}
