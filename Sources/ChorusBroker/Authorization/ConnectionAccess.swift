/// One connection's access checks: its login's ``LoginAccess`` and the decisions made so far,
/// per destination as written, so a SEND to a destination seen before costs one dictionary
/// lookup instead of a pass over the rules. The cache is emptied when it reaches
/// ``cacheLimit`` entries (ActiveMQ-style reply queues have a new name per request).
///
/// When creation counts (``AccessOperation/create``): a SUBSCRIBE to a topic nobody subscribes
/// to yet or to a queue that does not exist (no consumer, nothing buffered), and a SEND to such
/// a queue. Sends to topics, exchanges and reply queues create nothing (without a subscriber
/// the message is dropped), nor do exchange subscriptions (exchanges are declared in the
/// configuration). The connection handler asks separately for a `reply-to:/temp-queue/…`.
struct ConnectionAccess {
    /// Most cached decisions per connection.
    static let cacheLimit = 1024

    let login: LoginAccess
    private var cache: [String: AccessDecision] = [:]

    init(_ login: LoginAccess) {
        self.login = login
    }

    /// No policy: everything allowed, nothing cached.
    static let unrestricted = ConnectionAccess(.unrestricted)

    /// Why `operation` on `destination` is refused, or `nil` when it is allowed.
    /// - Parameter exists: whether the destination exists now; asked only when creating it
    ///   would need a right the login lacks.
    mutating func denial(
        _ operation: AccessOperation, on destination: Destination, exists: (Destination) -> Bool
    ) -> AccessDenial? {
        guard !login.isUnrestricted else { return nil }
        let decision = decision(for: destination)
        guard decision.rights.permits(operation) else {
            return AccessDenial(login: login.login, operation: operation, destination: destination.path, rule: decision.rule)
        }
        if operation != .create, !decision.rights.permits(.create), Self.mayCreate(operation, destination),
            !exists(destination)
        {
            return AccessDenial(login: login.login, operation: .create, destination: destination.path, rule: decision.rule)
        }
        return nil
    }

    /// The decision for `destination`, cached.
    mutating func decision(for destination: Destination) -> AccessDecision {
        if let known = cache[destination.path] { return known }
        let decision = login.decision(for: destination)
        if cache.count >= Self.cacheLimit { cache.removeAll(keepingCapacity: true) }
        cache[destination.path] = decision
        return decision
    }

    /// Number of cached decisions (tests).
    var cachedDecisions: Int { cache.count }

    /// Whether `operation` brings `destination` into existence when it does not exist yet.
    static func mayCreate(_ operation: AccessOperation, _ destination: Destination) -> Bool {
        switch (operation, destination.kind) {
        case (.read, .topic), (.read, .queue), (.write, .queue): true
        default: false
        }
    }
}

/// A refused operation: who, what, where, and the rule that decided (`nil`: no rule matched).
public struct AccessDenial: Sendable, Equatable {
    public let login: String
    public let operation: AccessOperation
    /// The destination as the client wrote it.
    public let destination: String
    public let rule: AccessRule?

    /// The ERROR frame's body (its `message` header is `access_refused`).
    public var refusal: String {
        "User '\(login)' is not authorized to \(operation.phrase) \(destination)."
    }

    /// The broker log's line: user, peer address, operation, destination, rule.
    public func logMessage(peer: String) -> String {
        "access denied: user '\(login)' from \(peer) may not \(operation.phrase) \(destination); "
            + (rule.map { "rule \($0) does not grant \(operation)" } ?? "no acl. rule matches it")
    }
}

extension BrokerStats.Snapshot {
    /// Counts one refused operation.
    mutating func countDenial(of operation: AccessOperation) {
        authorizationDenials += 1
        switch operation {
        case .read: authorizationReadDenials += 1
        case .write: authorizationWriteDenials += 1
        case .create: authorizationCreateDenials += 1
        }
    }
}
