/// One declared exchange and the subscriptions bound to it.
///
/// Each subscription to `/exchange/NAME[/KEY]` stands for a private queue bound with one key,
/// delivered at once (it lives exactly as long as the subscription). Lookup cost per message:
/// - direct: one dictionary lookup by routing key;
/// - topic: one dictionary lookup for bindings without wildcards (the common case: MCollective
///   binds agent names and identities) plus a scan of the wildcard bindings only;
/// - fanout: every binding.
struct ExchangeState {
    let type: ExchangeType
    /// Bindings matched by key equality (all direct bindings, literal topic bindings, and every
    /// fanout binding under the empty key).
    private var exact: [String: [SubscriptionRef: Subscription]] = [:]
    /// Topic bindings with `*` or `#`.
    private var patterns: [(pattern: TopicPattern, ref: SubscriptionRef, subscription: Subscription)] = []

    init(type: ExchangeType) {
        self.type = type
    }

    /// Number of bindings.
    private(set) var bindingCount = 0

    /// The key `subscription` is bound with: its destination's key, or the type's default.
    func bindingKey(of subscription: Subscription) -> String {
        subscription.destination.routingKey ?? type.defaultBindingKey
    }

    mutating func bind(_ subscription: Subscription) {
        let ref = SubscriptionRef(subscription)
        let key = bindingKey(of: subscription)
        switch type {
        case .fanout:
            exact["", default: [:]][ref] = subscription
        case .direct:
            exact[key, default: [:]][ref] = subscription
        case .topic:
            let pattern = TopicPattern(key)
            if pattern.isLiteral {
                exact[key, default: [:]][ref] = subscription
            } else {
                patterns.append((pattern, ref, subscription))
            }
        }
        bindingCount += 1
    }

    mutating func unbind(_ subscription: Subscription) {
        let ref = SubscriptionRef(subscription)
        let key = type == .fanout ? "" : bindingKey(of: subscription)
        if exact[key]?.removeValue(forKey: ref) != nil {
            if exact[key]?.isEmpty == true { exact[key] = nil }
            bindingCount -= 1
        } else if let index = patterns.firstIndex(where: { $0.ref == ref }) {
            patterns.remove(at: index)
            bindingCount -= 1
        }
    }

    /// Calls `body` once for every subscription whose binding matches `routingKey`.
    func forEachMatch(routingKey: String, _ body: (Subscription) -> Void) {
        if let bound = exact[type == .fanout ? "" : routingKey] {
            for subscription in bound.values { body(subscription) }
        }
        for binding in patterns where binding.pattern.matches(routingKey) {
            body(binding.subscription)
        }
    }
}

/// Identifies one subscription: its connection and its per-connection key.
struct SubscriptionRef: Hashable {
    let connection: ConnectionID
    let key: String

    init(_ subscription: Subscription) {
        self.connection = subscription.connection
        self.key = subscription.key
    }
}
