/// Which SimpleRPC agents the configuration lets load, as MCollective's `RPC::Agent.activate?`:
/// `plugin.<agent>.activate_agent` when set, else `activate_agents` (default true). Agents that
/// are not SimpleRPC agents (`discovery`) always load. An agent the policy allows may still
/// decline on its own (`Agent.activate(on:)`), for example when the tool it drives is missing.
public struct AgentActivationPolicy: Sendable {
    public var activateAgents: Bool
    public var settings: PluginSettings

    public init(activateAgents: Bool, settings: PluginSettings) {
        self.activateAgents = activateAgents
        self.settings = settings
    }

    public func allows(_ agent: any Agent) -> Bool {
        guard agent is any RPCAgent else { return true }
        return allows(agentNamed: agent.name)
    }

    public func allows(agentNamed name: String) -> Bool {
        settings.bool("\(name).activate_agent", default: activateAgents)
    }
}
