/// Why a configuration file could not be used; `description` reads `file:line: message`.
public struct ConfigurationError: Error, Sendable, Hashable, CustomStringConvertible {
    public enum Kind: Sendable, Hashable {
        /// The file could not be read.
        case unreadable
        /// A line that is not `key = value`.
        case syntax
        /// A value of the wrong form (`ttl = soon`) or an identity MCollective would refuse.
        case invalidValue
        /// An option another one requires (`plugin.rabbitmq.pool.2.host` when `pool.size = 2`).
        case missingOption
    }

    public var kind: Kind
    /// The file (or the name given to `init(parsing:source:)`).
    public var source: String
    /// The 1-based line, when the problem is on one line.
    public var line: Int?
    public var message: String

    public init(kind: Kind, source: String, line: Int?, message: String) {
        self.kind = kind
        self.source = source
        self.line = line
        self.message = message
    }

    public var description: String {
        if let line { return "\(source):\(line): \(message)" }
        return "\(source): \(message)"
    }
}
