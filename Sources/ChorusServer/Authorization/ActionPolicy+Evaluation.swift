import ChorusCore

extension ActionPolicy {
    /// What decided a request, and how.
    public struct Outcome: Sendable, Hashable {
        public enum Basis: Sendable, Hashable {
            /// The rule on this line matched first.
            case rule(line: Int)
            /// No rule matched; the `policy default` line on this line decided.
            case policyDefault(line: Int)
            /// No rule matched and the file has no `policy default` line, so
            /// `plugin.actionpolicy.allow_unconfigured` decided (as actionpolicy.rb).
            case allowUnconfigured
        }

        public var verdict: Verdict
        public var basis: Basis

        public init(verdict: Verdict, basis: Basis) {
            self.verdict = verdict
            self.basis = basis
        }
    }

    /// Decides one request: the first rule whose callers, actions and condition all match wins;
    /// otherwise the default.
    ///
    /// - callers: `*`, the caller id itself (whole ids: `uid=50` does not match `uid=500`), or a
    ///   group of `groups` that lists it;
    /// - actions: `*` or a listed name;
    /// - condition: evaluated against `node()` only when callers and actions match, with the
    ///   node filter's rules (`Filter.matches`): fact comparisons, classes and `/regexes/`,
    ///   compound expressions and data plugins. A condition that cannot be evaluated (a missing
    ///   data plugin, a bad regex) does not match.
    ///
    /// `node` is called at most once.
    public func evaluate<Subject: FilterSubject>(
        caller: String, action: String, groups: PolicyGroups = .none, allowUnconfigured: Bool, node: () -> Subject
    ) -> Outcome {
        var subject: Subject?
        for rule in rules where rule.admits(caller: caller, groups: groups) && rule.covers(action: action) {
            if !rule.condition.isEmpty {
                let current = subject ?? node()
                subject = current
                guard rule.condition.matches(current) else { continue }
            }
            return Outcome(verdict: rule.verdict, basis: .rule(line: rule.line))
        }
        if let defaultVerdict, let defaultLine {
            return Outcome(verdict: defaultVerdict, basis: .policyDefault(line: defaultLine))
        }
        return Outcome(verdict: allowUnconfigured ? .allow : .deny, basis: .allowUnconfigured)
    }

    /// `evaluate` with a node already in hand.
    public func evaluate(
        caller: String, action: String, groups: PolicyGroups = .none, allowUnconfigured: Bool, node: some FilterSubject
    ) -> Outcome {
        evaluate(caller: caller, action: action, groups: groups, allowUnconfigured: allowUnconfigured) { node }
    }
}

extension ActionPolicy.Rule {
    /// Whether the callers field names `caller`, directly or through a group.
    public func admits(caller: String, groups: PolicyGroups) -> Bool {
        switch callers {
        case .everyone: return true
        case .listed(let names):
            return names.contains { $0 == caller || groups.contains(caller, inGroup: $0) }
        }
    }

    /// Whether the actions field covers `action`.
    public func covers(action: String) -> Bool {
        switch actions {
        case .all: return true
        case .listed(let names): return names.contains(action)
        }
    }
}
