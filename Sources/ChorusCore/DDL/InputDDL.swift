import RubyMarshal

/// One input of an action (or the `query` input of a data plugin).
public struct InputDDL: Sendable, Hashable {
    /// The argument's key (sent as a Symbol).
    public var name: String
    /// A short question an interactive client would ask.
    public var prompt: String
    public var description: String
    public var type: InputType
    /// For `string` inputs: a Ruby regular expression or a named validator the value must pass.
    public var validation: InputValidation?
    /// For `string` inputs: the longest value allowed in characters; 0 means no limit.
    public var maxLength: Int
    /// Whether a request may leave the input out.
    public var optional: Bool
    /// The value used when a request leaves the input out.
    public var `default`: RubyValue?

    public init(
        name: String, prompt: String, description: String, type: InputType, validation: InputValidation? = nil,
        maxLength: Int = 0, optional: Bool = false, default: RubyValue? = nil
    ) {
        self.name = name
        self.prompt = prompt
        self.description = description
        self.type = type
        self.validation = validation
        self.maxLength = maxLength
        self.optional = optional
        self.default = `default`
    }
}
