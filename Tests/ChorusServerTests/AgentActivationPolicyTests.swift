import ChorusAgents
import ChorusServer
import Testing

@Suite("which agents the configuration activates")
struct AgentActivationPolicyTests {
    @Test("activate_agents and plugin.<agent>.activate_agent, as MCollective's RPC::Agent.activate?")
    func policy() throws {
        let agents = try BuiltinAgents.all()
        func active(_ activateAgents: Bool, _ settings: [String: String]) -> [String] {
            let policy = AgentActivationPolicy(activateAgents: activateAgents, settings: PluginSettings(settings))
            return agents.filter(policy.allows).map(\.name).sorted()
        }
        #expect(active(true, [:]) == agents.map(\.name).sorted())
        // The interop fleet's setting: only rpcutil, plus discovery, which is not a SimpleRPC agent.
        #expect(active(false, ["rpcutil.activate_agent": "1"]) == ["discovery", "rpcutil"])
        #expect(active(true, ["package.activate_agent": "no", "service.activate_agent": "F"]).contains("package") == false)
        #expect(active(true, ["package.activate_agent": "no", "service.activate_agent": "F"]).contains("service") == false)
        // A value that is no boolean leaves the global default in force.
        #expect(active(false, ["rpcutil.activate_agent": "maybe"]) == ["discovery"])
    }

    @Test("puppet() and resource() come and go with the puppet agent")
    func dataPluginsFollowTheirAgent() {
        let on = AgentActivationPolicy(activateAgents: true, settings: PluginSettings())
        let off = AgentActivationPolicy(activateAgents: true, settings: PluginSettings(["puppet.activate_agent": "0"]))
        #expect(BuiltinAgents.dataPlugins(activation: on).map(\.name).sorted() == ["puppet", "resource"])
        #expect(BuiltinAgents.dataPlugins(activation: off).isEmpty)
    }
}
