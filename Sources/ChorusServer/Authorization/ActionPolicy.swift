import ChorusCore

/// One ActionPolicy file (`<configdir>/policies/<agent>.policy`), as MCollective's actionpolicy
/// plugin reads it: rules tried top to bottom, the first whose callers, actions and conditions
/// all match decides; when none does, the `policy default` line decides, and a file without one
/// falls back to `plugin.actionpolicy.allow_unconfigured`.
///
/// A pure value: build it with `init(parsing:file:)`, ask it with `evaluate(caller:action:groups:allowUnconfigured:node:)`.
public struct ActionPolicy: Sendable, Hashable {
    /// What a rule or the default says.
    public enum Verdict: String, Sendable, Hashable {
        case allow
        case deny
    }

    /// The callers field.
    public enum Callers: Sendable, Hashable {
        /// `*`: every caller.
        case everyone
        /// Caller ids (`uid=500`, `cert=peadmin-public`) and group names from the groups file.
        case listed([String])
    }

    /// The actions field.
    public enum Actions: Sendable, Hashable {
        /// `*`: every action of the agent.
        case all
        /// Action names, any of which matches.
        case listed([String])
    }

    /// One `allow|deny` line.
    public struct Rule: Sendable, Hashable {
        public var verdict: Verdict
        public var callers: Callers
        public var actions: Actions
        /// The facts and classes fields as a node filter: fact terms, classes and compound
        /// expressions (with data plugins), all of which must hold. Empty when both fields are `*`.
        public var condition: Filter
        /// The 1-based line of the file.
        public var line: Int

        public init(verdict: Verdict, callers: Callers, actions: Actions, condition: Filter, line: Int) {
            self.verdict = verdict
            self.callers = callers
            self.actions = actions
            self.condition = condition
            self.line = line
        }
    }

    /// The rules in file order.
    public var rules: [Rule]
    /// The last `policy default allow|deny` line's verdict; nil when the file has none.
    public var defaultVerdict: Verdict?
    /// The line of that `policy default` line.
    public var defaultLine: Int?
    /// The file the policy was read from, for messages; nil when parsed from text.
    public var file: String?

    public init(rules: [Rule], defaultVerdict: Verdict? = nil, defaultLine: Int? = nil, file: String? = nil) {
        self.rules = rules
        self.defaultVerdict = defaultVerdict
        self.defaultLine = defaultLine
        self.file = file
    }
}
