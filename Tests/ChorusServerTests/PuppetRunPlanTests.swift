import ChorusAgents
import ChorusServer
import Testing

/// How `runonce` turns a request into a command (or a refusal), without running anything.
@Suite("Puppet runonce planning")
struct PuppetRunPlanTests {
    static let stopped = PuppetAgentState(applying: false, daemonPresent: false, disableMessage: nil, lastRun: 0)
    static let settings = PuppetSettings(PluginSettings(["command": "/usr/local/bin/run-puppet"]))
    static let base = ["/usr/local/bin/run-puppet", "--onetime", "--no-daemonize", "--color=false", "--show_diff", "--verbose"]

    func plan(_ request: PuppetRunRequest, settings: PuppetSettings = Self.settings, state: PuppetAgentState = Self.stopped) -> Result<PuppetRunPlan, PuppetRunRefusal> {
        PuppetRunPlan.make(request, settings: settings, state: state)
    }

    @Test("a plain run splays by the configured limit; force means --no-splay")
    func splay() {
        #expect(plan(PuppetRunRequest()) == .success(.run(Self.base + ["--splay", "--splaylimit", "30"])))
        #expect(plan(PuppetRunRequest(force: true)) == .success(.run(Self.base + ["--no-splay"])))
        #expect(plan(PuppetRunRequest(force: true, splay: true, splayLimit: 9)) == .success(.run(Self.base + ["--no-splay"])))
        #expect(plan(PuppetRunRequest(splay: false)) == .success(.run(Self.base + ["--no-splay"])))
        #expect(plan(PuppetRunRequest(splayLimit: 5)) == .success(.run(Self.base + ["--splay", "--splaylimit", "5"])))
        let unsplayed = PuppetSettings(PluginSettings(["command": "/usr/local/bin/run-puppet", "splay": "no"]))
        #expect(plan(PuppetRunRequest(), settings: unsplayed) == .success(.run(Self.base + ["--no-splay"])))
        guard case .failure(let refusal) = plan(PuppetRunRequest(splayLimit: 2.5)) else { Issue.record("2.5 s accepted"); return }
        #expect(refusal.description.contains("Invalid splaylimit"))
    }

    @Test("every option becomes its own argv word, in the original's order")
    func options() {
        let allowed = PuppetSettings(PluginSettings(["command": "/usr/local/bin/run-puppet", "allow_server_override": "true"]))
        let request = PuppetRunRequest(
            force: true, noop: true, environment: "staging", server: "puppet.example.com:8141", tags: "apache, mysql::server",
            useCachedCatalog: false)
        #expect(plan(request, settings: allowed) == .success(.run(Self.base + [
            "--tags", "apache,mysql::server", "--no-splay", "--noop", "--environment", "staging",
            "--server", "puppet.example.com", "--masterport", "8141", "--no-use_cached_catalog",
        ])))
        #expect(plan(PuppetRunRequest(force: true, noop: false, server: "10.0.0.1"), settings: allowed)
            == .success(.run(Self.base + ["--no-splay", "--no-noop", "--server", "10.0.0.1"])))
        #expect(plan(PuppetRunRequest(force: true, server: "[fe80::1]:8140"), settings: allowed)
            == .success(.run(Self.base + ["--no-splay", "--server", "fe80::1", "--masterport", "8140"])))
    }

    @Test("refusals: disabled (with and without a message), applying, server override not allowed")
    func refusals() {
        let cases: [(PuppetRunRequest, PuppetAgentState, String)] = [
            (PuppetRunRequest(), PuppetAgentState(applying: false, daemonPresent: false, disableMessage: "maintenance", lastRun: 0), "Puppet is disabled: 'maintenance'"),
            (PuppetRunRequest(), PuppetAgentState(applying: false, daemonPresent: false, disableMessage: "", lastRun: 0), "Puppet is disabled"),
            (PuppetRunRequest(), PuppetAgentState(applying: true, daemonPresent: false, disableMessage: nil, lastRun: 0), "Puppet is currently applying a catalog, cannot run now"),
        ]
        for (request, state, message) in cases {
            #expect(plan(request, state: state) == .failure(PuppetRunRefusal(message)))
        }
        guard case .failure(let refusal) = plan(PuppetRunRequest(server: "puppet")) else { Issue.record("server accepted"); return }
        #expect(refusal.description.hasPrefix("Passing 'server' option is not allowed"))
    }

    @Test("an idling daemon is signalled, and then run options are refused")
    func daemon() {
        let idling = PuppetAgentState(applying: false, daemonPresent: true, disableMessage: nil, lastRun: 0)
        #expect(plan(PuppetRunRequest(), state: idling) == .success(.signalDaemon))
        #expect(plan(PuppetRunRequest(force: true), state: idling) == .success(.signalDaemon))
        #expect(plan(PuppetRunRequest(noop: true), state: idling) == .failure(PuppetRunRefusal("Cannot specify any custom puppet options when the daemon is running")))
        let noSignal = PuppetSettings(PluginSettings(["command": "/usr/local/bin/run-puppet", "signal_daemon": "false"]))
        #expect(plan(PuppetRunRequest(force: true), settings: noSignal, state: idling) == .success(.run(Self.base + ["--no-splay"])))
    }
}
