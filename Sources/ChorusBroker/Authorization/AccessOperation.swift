/// What a login does to a destination, as an `acl.` line grants it (ActiveMQ's read, write
/// and admin).
public enum AccessOperation: String, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    /// SUBSCRIBE.
    case read
    /// SEND.
    case write
    /// Bringing a destination into existence: the first SUBSCRIBE to a topic, the first
    /// SUBSCRIBE or SEND to a queue, a `reply-to:/temp-queue/…` (ActiveMQ's admin).
    case create

    public var description: String { rawValue }

    /// How a refusal words it: "read from", "write to", "create".
    var phrase: String {
        switch self {
        case .read: "read from"
        case .write: "write to"
        case .create: "create"
        }
    }
}

/// A set of ``AccessOperation``s: what one login may do on one destination.
public struct AccessRights: OptionSet, Sendable, Hashable {
    public let rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }

    public static let read = AccessRights(.read)
    public static let write = AccessRights(.write)
    public static let create = AccessRights(.create)
    public static let all: AccessRights = [.read, .write, .create]

    public init(_ operation: AccessOperation) {
        switch operation {
        case .read: rawValue = 1
        case .write: rawValue = 2
        case .create: rawValue = 4
        }
    }

    /// Whether `operation` is granted.
    public func permits(_ operation: AccessOperation) -> Bool { contains(AccessRights(operation)) }
}
