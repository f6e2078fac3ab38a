import RubyMarshal

/// The type an input's value must have (the DDL's `:type`).
public enum InputType: Sendable, Hashable {
    case string
    /// A Ruby Integer.
    case integer
    /// A Ruby Float.
    case float
    /// An Integer or a Float.
    case number
    /// `true` or `false`.
    case boolean
    /// One of the allowed values.
    case list([RubyValue])
    case hash
    case array
    /// Anything at all.
    case any

    /// The type's name as written in a DDL and shown by `plugin doc`.
    public var name: String {
        switch self {
        case .string: return "string"
        case .integer: return "integer"
        case .float: return "float"
        case .number: return "number"
        case .boolean: return "boolean"
        case .list: return "list"
        case .hash: return "hash"
        case .array: return "array"
        case .any: return "any"
        }
    }

    /// The allowed values of a `list` input; nil for other types.
    public var allowedValues: [RubyValue]? {
        if case .list(let values) = self { return values }
        return nil
    }

    /// The names a DDL may use for `type`.
    public static let names = ["string", "integer", "float", "number", "boolean", "list", "hash", "array", "any"]
}
