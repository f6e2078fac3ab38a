import Foundation

/// One `acl.PATTERN = GRANTS` line: which users and groups may do which operations on the
/// destinations PATTERN matches.
///
/// ```
/// acl./queue/mcollective.nodes = read: nodes; write: clients; create: nodes, clients
/// acl./temp-queue/> = create: clients
/// acl./topic/audit.> = read, write, create: admins
/// acl./topic/> = none
/// ```
///
/// GRANTS is clauses separated by `;`, each `OPERATIONS: PRINCIPALS` with comma-separated
/// operations (`read`, `write`, `create`) and principals (users, groups, or `everyone`); an
/// operation named in several clauses is granted to all of them. `none` grants nothing, which
/// denies the matching destinations to everyone (rules are tried in order; see ``AccessPolicy``).
public struct AccessRule: Sendable, Equatable, CustomStringConvertible {
    /// The destinations it applies to.
    public let pattern: DestinationPattern
    /// Operation → the users and groups it is granted to, in the order written.
    public let grants: [AccessOperation: [String]]
    /// Its line in the configuration file (0 when built in code).
    public let line: Int

    public init(pattern: DestinationPattern, grants: [AccessOperation: [String]], line: Int = 0) {
        self.pattern = pattern
        self.grants = grants
        self.line = line
    }

    /// Parses the value of an `acl.PATTERN` line.
    public init(pattern: String, grants text: String, line: Int = 0) throws(AccessPolicyError) {
        self.pattern = try DestinationPattern(parsing: pattern)
        self.line = line
        var grants: [AccessOperation: [String]] = [:]
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        if trimmed.lowercased() != "none" {
            for clause in trimmed.split(separator: ";") {
                let clause = clause.trimmingCharacters(in: .whitespaces)
                if clause.isEmpty { continue }
                guard let colon = clause.firstIndex(of: ":") else {
                    throw AccessPolicyError(
                        "acl.\(pattern): '\(clause)' is not 'OPERATIONS: USERS OR GROUPS' (for example 'read, write: admins')")
                }
                let operations = try Self.list(clause[..<colon]).map { (word) throws(AccessPolicyError) -> AccessOperation in
                    guard let operation = AccessOperation(rawValue: word.lowercased()) else {
                        throw AccessPolicyError("acl.\(pattern): unknown operation '\(word)'; use read, write or create")
                    }
                    return operation
                }
                let principals = try Self.list(clause[clause.index(after: colon)...])
                guard !operations.isEmpty, !principals.isEmpty else {
                    throw AccessPolicyError(
                        "acl.\(pattern): '\(clause)' must name operations and who gets them; leave an operation out to deny it")
                }
                for operation in operations {
                    for principal in principals where grants[operation]?.contains(principal) != true {
                        grants[operation, default: []].append(principal)
                    }
                }
            }
            guard !grants.isEmpty else {
                throw AccessPolicyError("acl.\(pattern) grants nothing; write 'none' to deny everything it matches")
            }
        }
        self.grants = grants
    }

    /// The operations granted to someone who is any of `principals` (a login, its groups and
    /// `everyone`).
    public func rights(for principals: Set<String>) -> AccessRights {
        var rights: AccessRights = []
        for (operation, granted) in grants where granted.contains(where: principals.contains) {
            rights.insert(AccessRights(operation))
        }
        return rights
    }

    /// `acl.PATTERN (line N)`, for logs.
    public var description: String { line > 0 ? "acl.\(pattern) (line \(line))" : "acl.\(pattern)" }

    /// Comma-separated words; empty words are errors.
    private static func list(_ text: Substring) throws(AccessPolicyError) -> [String] {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        if trimmed.isEmpty { return [] }
        return try trimmed.split(separator: ",", omittingEmptySubsequences: false).map { (word) throws(AccessPolicyError) -> String in
            let word = word.trimmingCharacters(in: .whitespaces)
            guard !word.isEmpty, !word.contains(where: \.isWhitespace) else {
                throw AccessPolicyError("'\(text.trimmingCharacters(in: .whitespaces))' is not a comma-separated list of names")
            }
            return word
        }
    }
}
