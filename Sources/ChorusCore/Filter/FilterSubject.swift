import RubyMarshal

/// What a node exposes to filter matching (MCollective security/base.rb `validate_filter?`).
public protocol FilterSubject {
    /// The node's configured identity.
    var identity: String { get }
    /// The node's facts, String keys, values normalised to Strings (Arrays and Hashes of Strings
    /// allowed), as MCollective's facts plugins normalise them.
    var facts: RubyHash { get }
    /// The lines of the classes file.
    var classes: [String] { get }
    /// The names of the loaded agents.
    var agents: [String] { get }
    /// Runs data plugin `plugin` with `query` and returns its outputs (Symbol keys), or nil when
    /// there is no such plugin or it rejects the query. Used by `fstatement`s in compound filters.
    func dataQuery(plugin: String, query: String?) -> RubyHash?
}
