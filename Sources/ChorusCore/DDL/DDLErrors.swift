/// A DDL file that cannot be used: unreadable, not JSON, or not a valid description.
public struct DDLLoadError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The file, when loading from one.
    public var file: String?
    /// Where in the document: a JSON path such as `actions[3] (get_fact).inputs[0] (fact).type`,
    /// or `line 12, column 5` for syntax errors; empty for the whole document.
    public var location: String
    /// What is wrong.
    public var message: String

    public init(file: String? = nil, location: String, message: String) {
        self.file = file
        self.location = location
        self.message = message
    }

    public var description: String {
        var text = file.map { "\($0): " } ?? ""
        if !location.isEmpty { text += "\(location): " }
        return text + message
    }
}

/// A request that breaks its action's DDL. The message is MCollective's wording, shown to users
/// by the client and returned by nodes as the status message of a status 4 reply.
public struct DDLValidationError: Error, Sendable, Hashable, CustomStringConvertible {
    public enum Kind: Sendable, Hashable {
        /// The agent's DDL does not declare the action.
        case undeclaredAction
        /// A required input is absent.
        case missingInput(String)
        /// An input fails its type, length, list or validation check.
        case invalidInput(String)
    }

    public var kind: Kind
    public var message: String

    public init(kind: Kind, message: String) {
        self.kind = kind
        self.message = message
    }

    public var description: String { message }
}

/// A command-line `key=value` argument that cannot be turned into an input value.
public struct DDLArgumentError: Error, Sendable, Hashable, CustomStringConvertible {
    public var argument: String
    public var message: String

    public init(argument: String, message: String) {
        self.argument = argument
        self.message = message
    }

    public var description: String { message }
}
