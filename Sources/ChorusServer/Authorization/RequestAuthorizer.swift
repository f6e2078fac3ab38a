import ChorusCore
import Logging
import RubyMarshal
import Synchronization

/// MCollective's SimpleRPC authorization (`rpcauthorization = 1`, `rpcauthprovider =
/// action_policy`): every request to a SimpleRPC agent is checked against the agent's
/// ActionPolicy before the agent runs. Agents that are not SimpleRPC (`discovery`) are not
/// subject, as in MCollective.
///
/// A denial is answered with status 1 and `denialMessage`, counted in
/// `ServerStatistics.unauthorized` and logged at warning level with the caller, the agent, the
/// action and the policy line (or default) that decided.
public final class RequestAuthorizer: Sendable {
    /// The reply message of a denied request (actionpolicy.rb's RPCAborted text).
    public static let denialMessage = "You are not authorized to call this agent or action."
    /// The only `rpcauthprovider` Chorus implements.
    public static let provider = "action_policy"

    public let store: PolicyStore
    private let logger: Logger

    public init(settings: ActionPolicySettings, logger: Logger) {
        self.store = PolicyStore(settings: settings, logger: logger)
        self.logger = logger
    }

    /// The authorizer `configuration` asks for: nil when `rpcauthorization` is off. The policy
    /// directory is `<configdir>/policies`, `<configdir>` being the directory of `configFile`.
    /// Throws when authorization is on with a provider other than `action_policy`, or with
    /// `plugin.actionpolicy.*` values that cannot be read: the node must not start then.
    public static func configured(
        by configuration: ChorusConfiguration, configFile: String, logger: Logger
    ) throws(AuthorizationSetupError) -> RequestAuthorizer? {
        guard configuration.rpcAuthorization else { return nil }
        guard configuration.rpcAuthProvider == provider else {
            let found = configuration.rpcAuthProvider.isEmpty ? "no rpcauthprovider is set" : "rpcauthprovider = \(configuration.rpcAuthProvider) is not supported"
            throw AuthorizationSetupError(
                "rpcauthorization = 1 but \(found): Chorus implements rpcauthprovider = action_policy (or set rpcauthorization = 0)")
        }
        let settings = try ActionPolicySettings(configDirectory: directory(of: configFile), settings: PluginSettings(configuration.pluginConfig))
        logger.info(
            "authorization: action_policy with policies in \(settings.directory), allow_unconfigured = \(settings.allowUnconfigured ? 1 : 0), enable_default = \(settings.enableDefault ? "1 (\(settings.defaultPolicyFile))" : "0")")
        return RequestAuthorizer(settings: settings, logger: logger)
    }

    /// A decision and what made it, for the log.
    public struct Decision: Sendable, Hashable {
        public var allowed: Bool
        /// The policy line (`…/rpcutil.policy line 3`), the default, or why there is no usable policy.
        public var basis: String

        public init(allowed: Bool, basis: String) {
            self.allowed = allowed
            self.basis = basis
        }
    }

    /// Decides whether `caller` may call `agent`'s `action` with the policy files as they are now.
    /// `node` (facts, classes, data plugins) is asked for only when a rule's condition needs it.
    public func decide<Subject: FilterSubject>(caller: String, agent: String, action: String, node: () -> Subject) -> Decision {
        let settings = store.settings
        let unconfigured = settings.allowUnconfigured ? 1 : 0
        switch store.lookup(agent: agent) {
        case .unconfigured:
            return Decision(
                allowed: settings.allowUnconfigured,
                basis: "no policy file \(settings.policyFile(agent: agent))\(settings.enableDefault ? " or \(settings.defaultPolicyFile)" : "") (allow_unconfigured = \(unconfigured))")
        case .unusable(let error):
            return Decision(allowed: false, basis: "unusable policy: \(error)")
        case .policy(let policy, let file):
            let groups: PolicyGroups
            switch store.groups() {
            case .success(let found): groups = found
            case .failure(let error): return Decision(allowed: false, basis: "unusable groups file: \(error)")
            }
            let outcome = policy.evaluate(
                caller: caller, action: action, groups: groups, allowUnconfigured: settings.allowUnconfigured, node: node)
            let basis: String
            switch outcome.basis {
            case .rule(let line): basis = "\(file) line \(line)"
            case .policyDefault(let line): basis = "\(file) default (policy default \(outcome.verdict.rawValue), line \(line))"
            case .allowUnconfigured: basis = "\(file) default (no rule matched and no policy default line; allow_unconfigured = \(unconfigured))"
            }
            return Decision(allowed: outcome.verdict == .allow, basis: basis)
        }
    }

    /// What the node does with a request after the check.
    public enum Outcome: Sendable {
        /// Run the agent.
        case permitted
        /// Do not run the agent; send this reply (nil when the caller asked for none).
        case refused(reply: RubyValue?)
    }

    /// The request-path hook: checks a request the node admitted, before its agent runs.
    /// A body that is not a SimpleRPC request is left to the agent, which refuses it (status 4).
    public func check(_ request: Request, agent: any Agent, node: NodeState) -> Outcome {
        guard agent is any RPCAgent, let body = RPCRequestBody(request.body) else { return .permitted }
        let decision = decide(caller: request.callerID, agent: agent.name, action: body.action) { node.filterSubject() }
        let who = "\(agent.name)#\(body.action) for \(request.callerID)@\(request.senderID) (request \(request.requestID))"
        if decision.allowed {
            logger.debug("authorized \(who): \(decision.basis)")
            return .permitted
        }
        node.counters.unauthorized.wrappingAdd(1, ordering: .relaxed)
        logger.warning("denied \(who): \(decision.basis)")
        guard body.wantsReply else { return .refused(reply: nil) }
        let data = agent.ddl.action(named: body.action)?.defaultReplyData() ?? RubyHash()
        return .refused(reply: RPCReplyBody(status: .aborted, message: Self.denialMessage, data: data).rubyValue)
    }

    static func directory(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        return slash == path.startIndex ? "/" : String(path[..<slash])
    }
}
