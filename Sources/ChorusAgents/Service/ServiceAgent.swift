import ChorusCore
import ChorusServer
import RubyMarshal

/// `service`: starts, stops, restarts and reports system services (PE's service agent).
///
/// Every action replies with `status`, the state the provider observes: `running` or
/// `stopped`. As in MCollective, starting a running service (or stopping a stopped one) does
/// nothing and fails with "Could not start 'NAME': Service is already running", still
/// reporting the state. After start, stop and restart the agent polls the state for up to
/// `settleTime` until it reaches the goal, and reports what it then sees. An unknown service,
/// a failed command, or a provider that cannot work on this node is status 1 with a message.
///
/// Settings (`plugin.service.*`): `provider` (`systemd` or `init`; detected when unset) and
/// `settle_time` (milliseconds to wait for the state to settle, default 500).
public struct ServiceAgent: RPCAgent {
    public let ddl: AgentDDL
    /// The provider, or why none can work on this node.
    public let provider: Result<any ServiceProvider, ServiceSetupError>
    public var settleTime: Duration
    public var pollInterval: Duration = .milliseconds(100)

    /// The agent as a node configures it from its `plugin.service.*` settings.
    public init(settings: PluginSettings = PluginSettings(), systemdRunning: Bool = SystemdDetection.isRunning()) throws {
        let own = settings.scoped(to: "service")
        let provider: Result<any ServiceProvider, ServiceSetupError> = ServiceProviderKind
            .select(setting: own["provider"], systemdRunning: systemdRunning)
            .map { kind -> any ServiceProvider in
                switch kind {
                case .systemd: return SystemdProvider()
                case .initScripts: return InitScriptProvider()
                }
            }
        try self.init(provider: provider, settleTime: .milliseconds(max(0, own.integer("settle_time", default: 500))))
    }

    /// The agent with a given provider.
    public init(provider: Result<any ServiceProvider, ServiceSetupError>, settleTime: Duration = .milliseconds(500)) throws {
        ddl = try BuiltinDDL.named("service")!
        self.provider = provider
        self.settleTime = settleTime
    }

    public func perform(_ request: ActionRequest, reply: inout ActionReply, node: any NodeContext) async throws {
        let service = request["service"]?.stringValue ?? ""
        if let problem = ServiceNameRules.problem(with: service) {
            throw RPCError.invalidData("Cannot validate input service: \(problem)")
        }
        let provider: any ServiceProvider
        switch self.provider {
        case .success(let chosen): provider = chosen
        case .failure(let error): throw RPCError.aborted(error.description)
        }
        do {
            switch request.action {
            case "status":
                reply["status"] = .str(try await provider.status(of: service).description)
            case "start", "stop", "restart":
                let control = ServiceControl(rawValue: request.action)!
                try await change(service, control, provider: provider, reply: &reply)
            default:
                throw RPCError.unknownAction("Unknown action \(request.action) for agent service")
            }
        } catch let error as ServiceProviderError {
            throw RPCError.aborted(error.description)
        }
    }

    /// Start, stop or restart, then report the state the provider observes.
    private func change(_ service: String, _ control: ServiceControl, provider: any ServiceProvider, reply: inout ActionReply) async throws {
        let before = try await provider.status(of: service)
        if control != .restart && before == control.goal {
            reply["status"] = .str(before.description)
            let already = control == .start ? "Service is already running" : "Service is already stopped"
            throw RPCError.aborted("Could not \(control.rawValue) '\(service)': \(already)")
        }
        do {
            try await provider.perform(control, on: service)
        } catch {
            if let after = try? await provider.status(of: service) { reply["status"] = .str(after.description) }
            throw error
        }
        reply["status"] = .str(try await settled(service, goal: control.goal, provider: provider).description)
    }

    /// Polls until the service reaches `goal` or `settleTime` has passed; the last state seen.
    private func settled(_ service: String, goal: ServiceState, provider: any ServiceProvider) async throws -> ServiceState {
        let deadline = ContinuousClock.now + settleTime
        var state = try await provider.status(of: service)
        while state != goal && ContinuousClock.now < deadline {
            try await Task.sleep(for: pollInterval)
            state = try await provider.status(of: service)
        }
        return state
    }
}
