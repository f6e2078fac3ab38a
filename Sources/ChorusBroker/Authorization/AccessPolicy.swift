import Foundation

/// The broker's access control: groups of users and the `acl.` rules, in file order.
///
/// ```
/// user.mcollective = …
/// user.alice = …
/// group.nodes = mcollective
/// group.clients = alice
/// acl./topic/mcollective.*.agent = read, create: nodes; write: clients
/// ```
///
/// Evaluation: for a destination, the **first** rule (in file order) whose pattern matches it
/// decides; it grants each operation to the principals it lists for it, and an operation it
/// does not list is denied to everyone, whatever later rules say. When no rule matches, every
/// operation is denied. Without any rule the policy is off and everything is allowed (the
/// broker's behaviour without `acl.` lines). A login's principals are its name, the groups
/// that list it and `everyone`.
public struct AccessPolicy: Sendable, Equatable {
    /// The principal every login is.
    public static let everyone = "everyone"

    /// Group → its members (users), in the order written.
    public private(set) var groups: [String: [String]] = [:]
    /// The rules, in file order.
    public private(set) var rules: [AccessRule] = []
    /// Where each group was defined, for errors found after the whole file is read.
    private var groupLines: [String: Int] = [:]

    public init() {}

    /// Whether any rule is set: without one, everything is allowed.
    public var isEnabled: Bool { !rules.isEmpty }

    /// Adds a `group.NAME = user1, user2` line.
    public mutating func addGroup(_ name: String, members text: String, line: Int = 0) throws(AccessPolicyError) {
        guard !name.isEmpty, !name.contains(where: { $0.isWhitespace || $0 == "," || $0 == ":" || $0 == ";" }) else {
            throw AccessPolicyError("'group.\(name)': a group name may not be empty or contain spaces, ',', ':' or ';'")
        }
        guard name != Self.everyone else {
            throw AccessPolicyError("'everyone' is built in (every login); it cannot be defined as a group")
        }
        if let earlier = groupLines[name] {
            throw AccessPolicyError("group.\(name) is already defined on line \(earlier); list all its members on one line")
        }
        let members = text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        guard !members.isEmpty, members.allSatisfy({ !$0.isEmpty && !$0.contains(where: \.isWhitespace) }) else {
            throw AccessPolicyError("group.\(name) must list its users separated by commas, not '\(text)'")
        }
        groups[name] = members
        groupLines[name] = line
    }

    /// Adds an `acl.PATTERN = GRANTS` line (see ``AccessRule``).
    public mutating func addRule(pattern: String, grants: String, line: Int = 0) throws(AccessPolicyError) {
        let rule = try AccessRule(pattern: pattern, grants: grants, line: line)
        if let earlier = rules.first(where: { $0.pattern == rule.pattern }) {
            throw AccessPolicyError(
                "acl.\(pattern) is already set on line \(earlier.line); the first rule that matches decides, so this one would never apply")
        }
        rules.append(rule)
    }

    /// Checks the names against the configured users, once the whole file is read: every group
    /// member must be a user, every principal a user, a group or `everyone`, no group may share
    /// a user's name, and rules need users (without `user.` lines any login is accepted, so a
    /// client could pick whichever login the rules favour).
    /// - Returns: the line and the problem, when there is one.
    public func problem(users: Set<String>) -> (line: Int, message: String)? {
        if users.contains(Self.everyone) {
            return (0, "user.everyone: 'everyone' is built in (every login); choose another login name")
        }
        for (name, members) in groups.sorted(by: { groupLines[$0.key, default: 0] < groupLines[$1.key, default: 0] }) {
            let line = groupLines[name] ?? 0
            if users.contains(name) {
                return (line, "group.\(name): '\(name)' is also a user; give groups and users different names")
            }
            if let stranger = members.first(where: { !users.contains($0) }) {
                return (line, "group.\(name): '\(stranger)' is not a user (add user.\(stranger) = PASSCODE)")
            }
        }
        guard let first = rules.first else { return nil }
        if users.isEmpty {
            return (first.line, "acl. lines need user. lines: without them any login is accepted, so the rules could not tell clients apart")
        }
        for rule in rules {
            for (_, principals) in rule.grants.sorted(by: { $0.key.rawValue < $1.key.rawValue }) {
                if let unknown = principals.first(where: { $0 != Self.everyone && !users.contains($0) && groups[$0] == nil }) {
                    return (rule.line, "acl.\(rule.pattern): '\(unknown)' is neither a user, a group nor 'everyone'")
                }
            }
        }
        return nil
    }

    /// The groups that list `login`, sorted.
    public func groups(of login: String) -> [String] {
        groups.filter { $0.value.contains(login) }.map(\.key).sorted()
    }

    /// What `login` may do, worked out once per connection: every rule with the operations it
    /// grants this login, so checking a destination is pattern matching only.
    public func access(forLogin login: String?) -> LoginAccess {
        guard isEnabled else { return .unrestricted }
        let login = login ?? ""
        let principals = Set([login, Self.everyone] + groups(of: login))
        return LoginAccess(login: login, rules: rules.map { ($0, $0.rights(for: principals)) })
    }

    /// The decision for `login` on `destination` (tests and tools; connections use
    /// ``LoginAccess``).
    public func decision(forLogin login: String?, on destination: Destination) -> AccessDecision {
        access(forLogin: login).decision(for: destination)
    }
}
