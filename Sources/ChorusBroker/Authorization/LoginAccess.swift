/// What one login may do: the policy's rules in order, each with the operations it grants
/// this login. Built once per connection by ``AccessPolicy/access(forLogin:)``.
public struct LoginAccess: Sendable {
    /// The login (empty when the CONNECT had none).
    public let login: String
    /// The rules in file order with this login's rights under each; `nil` = no policy.
    let rules: [(rule: AccessRule, rights: AccessRights)]?

    init(login: String, rules: [(rule: AccessRule, rights: AccessRights)]?) {
        self.login = login
        self.rules = rules
    }

    /// Everything allowed: the broker has no `acl.` lines.
    public static let unrestricted = LoginAccess(login: "", rules: nil)

    /// Whether every operation is allowed everywhere (no policy).
    public var isUnrestricted: Bool { rules == nil }

    /// The first matching rule's rights, or none when no rule matches.
    public func decision(for destination: Destination) -> AccessDecision {
        guard let rules else { return AccessDecision(rights: .all, rule: nil) }
        for (rule, rights) in rules where rule.pattern.matches(destination) {
            return AccessDecision(rights: rights, rule: rule)
        }
        return AccessDecision(rights: [], rule: nil)
    }
}

/// What a login may do on one destination, and the rule that says so (`nil`: no rule matched,
/// or there is no policy).
public struct AccessDecision: Sendable, Equatable {
    public let rights: AccessRights
    public let rule: AccessRule?

    public init(rights: AccessRights, rule: AccessRule?) {
        self.rights = rights
        self.rule = rule
    }
}
