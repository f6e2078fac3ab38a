import RubyMarshal

/// One field of an action's reply data.
public struct OutputDDL: Sendable, Hashable {
    /// The key in the reply's `:data` hash (sent as a Symbol).
    public var name: String
    public var description: String
    /// The label the client prints in front of the value.
    public var displayAs: String
    /// The value the reply starts with before the action runs; nil when the DDL sets none.
    public var `default`: RubyValue?

    public init(name: String, description: String, displayAs: String, default: RubyValue? = nil) {
        self.name = name
        self.description = description
        self.displayAs = displayAs
        self.default = `default`
    }
}
