import ChorusAgents
import ChorusServer
import Foundation
import RubyMarshal
import Testing

/// The puppet agent's pure parsers, fed with files the real `puppet apply` wrote
/// (Tests/Fixtures/puppet, see its README).
@Suite("Puppet state parsers")
struct PuppetStateTests {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/puppet")

    static func fixture(_ name: String) throws -> String {
        try String(contentsOf: fixtures.appendingPathComponent(name), encoding: .utf8)
    }

    @Test("last_run_summary.yaml of a successful run: counts, times, versions")
    func successfulRun() throws {
        let summary = try LastRunSummary(yaml: try Self.fixture("last_run_summary.yaml"))
        #expect(summary.totalResources == 11)
        #expect(summary.changedResources == 3)
        #expect(summary.outOfSyncResources == 3)
        #expect(summary.failedResources == 0)
        #expect(summary.correctedResources == 0)
        #expect(summary.lastRun == 1796544577)
        #expect(abs(summary.totalTime - 0.915626757) < 1e-9)
        #expect(abs(summary.configRetrievalTime - 0.848082549) < 1e-9)
        #expect(summary.configVersion == "1796544575")
        #expect(summary.puppetVersion == "7.23.0")
        // The whole document is kept, String keys, Psych's types.
        #expect(summary.document["application"]?["run_mode"] == .str("user"))
        #expect(summary.document["events"]?["success"] == .int(3))
    }

    @Test("last_run_summary.yaml of a run with a failed resource")
    func failedRun() throws {
        let summary = try LastRunSummary(yaml: try Self.fixture("last_run_summary_failed.yaml"))
        #expect(summary.failedResources == 1)
        #expect(summary.changedResources == 1)
        #expect(summary.outOfSyncResources == 2)
        #expect(summary.totalResources == 9)
        #expect(summary.lastRun == 1796544580)
    }

    @Test("missing sections and counts default as the original agent's load_summary does")
    func defaults() throws {
        let empty = LastRunSummary()
        #expect(empty.totalResources == 0 && empty.lastRun == 0 && empty.totalTime == 0)
        #expect(empty.configVersion == "unknown")
        for section in ["changes", "time", "resources", "version", "events"] {
            #expect(empty.document[section]?.asHash != nil, "\(section)")
        }
        #expect(empty.document["resources"]?["restarted"] == .int(0))
        let partial = try LastRunSummary(yaml: "---\nresources:\n  total: 4\ntime:\n  last_run: \"1700000000\"\nversion:\n  config: abc123\n")
        #expect(partial.totalResources == 4 && partial.failedResources == 0)
        #expect(partial.lastRun == 1700000000)
        #expect(partial.configVersion == "abc123")
        #expect(try LastRunSummary(yaml: "") == LastRunSummary())
    }

    @Test("text that is not a run summary is an error that says so", arguments: ["- a\n- b\n", "resources: [unclosed\n", "just text"])
    func invalid(_ text: String) {
        #expect(throws: LastRunSummaryError.self) { try LastRunSummary(yaml: text) }
    }

    @Test("status words: disabled wins, then applying, then idling, else stopped")
    func statusWords() {
        let now = 1_700_000_000
        let cases: [(PuppetAgentState, String)] = [
            (PuppetAgentState(applying: true, daemonPresent: true, disableMessage: "maint", lastRun: now), "disabled"),
            (PuppetAgentState(applying: true, daemonPresent: false, disableMessage: nil, lastRun: now), "applying a catalog"),
            (PuppetAgentState(applying: false, daemonPresent: true, disableMessage: nil, lastRun: now), "idling"),
            (PuppetAgentState(applying: false, daemonPresent: false, disableMessage: nil, lastRun: now), "stopped"),
        ]
        for (state, word) in cases { #expect(state.status == word) }
        let idle = cases[2].0
        #expect(idle.idling && idle.enabled)
        let outputs = Dictionary(uniqueKeysWithValues: PuppetAgentState(applying: false, daemonPresent: false, disableMessage: "maint", lastRun: now - 7_384).outputs(now: now))
        #expect(outputs["enabled"] == .bool(false))
        #expect(outputs["disable_message"] == .str("maint"))
        #expect(outputs["since_lastrun"] == .int(7_384))
        #expect(outputs["message"] == .str("Currently disabled; last completed run 2 hours 3 minutes 04 seconds ago"))
    }

    @Test("durations read as the original's seconds_to_human")
    func durations() {
        #expect(PuppetAgentState.humanDuration(5) == "05 seconds")
        #expect(PuppetAgentState.humanDuration(65) == "1 minutes 05 seconds")
        #expect(PuppetAgentState.humanDuration(86_400 + 3_661) == "1 day 1 hours 1 minutes 01 seconds")
        #expect(PuppetAgentState.humanDuration(3 * 86_400) == "3 days 0 hours 0 minutes 00 seconds")
    }

    @Test("agent_disabled.lock: Puppet's JSON in both directions; an empty lock has no message")
    func lockFile() {
        let text = PuppetAgentState.lockFileText(message: "maintenance \"window\"")
        #expect(text == #"{"disabled_message":"maintenance \"window\""}"#)
        #expect(PuppetAgentState.lockMessage(fromLockFile: text) == "maintenance \"window\"")
        #expect(PuppetAgentState.lockMessage(fromLockFile: "") == "")
        #expect(PuppetAgentState.lockMessage(fromLockFile: "not json") == "")
        #expect(PuppetAgentState.pid(fromFile: "1234\n") == 1234)
        #expect(PuppetAgentState.pid(fromFile: "") == nil)
    }

    @Test("resources.txt: managed resources and their type distribution")
    func managedResources() throws {
        let resources = PuppetManagedResources.parse(try Self.fixture("resources.txt"))
        #expect(resources == ["file[/tmp/h4fix/out.txt]", "file[/tmp/h4fix/dir]", "notify[chorus fixture]", "package[bash]"])
        let distribution = PuppetManagedResources.typeDistribution(resources + ["foo::bar[x]"])
        #expect(distribution.map(\.type) == ["File", "Notify", "Package", "Foo::Bar"])
        #expect(distribution.map(\.count) == [2, 1, 1, 1])
        #expect(PuppetManagedResources.parse("File[/X]\n\nnonsense\n") == ["file[/x]"])
        #expect(PuppetManagedResources.contains("File[/tmp/H4FIX/dir]", in: resources))
    }

    @Test("puppet resource output: changes, failures, unknown types (outputs recorded from puppet 7.23)")
    func resourceOutcome() {
        let created = PuppetResourceOutcome.parse(
            standardOutput: "Notice: /File[/tmp/x]/ensure: created\nfile { '/tmp/x':\n  ensure   => 'file',\n}\n", standardError: "",
            exitStatus: 0, type: "file", name: "/tmp/x")
        #expect(created == PuppetResourceOutcome(result: "Notice: /File[/tmp/x]/ensure: created", changed: true, failed: false))
        let unchanged = PuppetResourceOutcome.parse(
            standardOutput: "file { '/tmp/x':\n  ensure   => 'file',\n}\n", standardError: "Error: Facter: Permission denied\n",
            exitStatus: 0, type: "file", name: "/tmp/x")
        #expect(unchanged == PuppetResourceOutcome(result: "no output produced", changed: false, failed: false))
        let failed = PuppetResourceOutcome.parse(
            standardOutput: "file { '/nonexistent/x':\n  ensure   => 'absent',\n}\n",
            standardError: "Error: /File[/nonexistent/x]/ensure: change from 'absent' to 'file' failed: No such file or directory\n",
            exitStatus: 0, type: "file", name: "/nonexistent/x")
        #expect(failed.failed && !failed.changed)
        #expect(failed.result.contains("change from 'absent' to 'file' failed"))
        let unknown = PuppetResourceOutcome.parse(
            standardOutput: "", standardError: "Error: Could not run: Could not find type nosuchtype\n", exitStatus: 1, type: "nosuchtype", name: "x")
        #expect(unknown.failed && unknown.result == "Error: Could not run: Could not find type nosuchtype")
    }

    @Test("resource policy: deny unless whitelisted, blacklists, name lists, managed resources")
    func resourcePolicy() {
        let managed: Set<String> = ["file[/etc/motd]"]
        let none = PuppetResourcePolicy(PluginSettings())
        #expect(none.refusal(type: "file", name: "/tmp/x", managed: []) == "The file type is not listed in the type whitelist (plugin.puppet.resource_type_whitelist)")
        let noneWord = PuppetResourcePolicy(PluginSettings(["resource_type_whitelist": "none"]))
        #expect(noneWord.refusal(type: "file", name: "/tmp/x", managed: []) != nil)
        let white = PuppetResourcePolicy(PluginSettings(["resource_type_whitelist": "file, package"]))
        #expect(white.refusal(type: "File", name: "/tmp/x", managed: managed) == nil)
        #expect(white.refusal(type: "exec", name: "rm", managed: []) != nil)
        #expect(white.refusal(type: "file", name: "/etc/motd", managed: managed) == "Puppet is managing the resource 'File[/etc/motd]', refusing to create conflicting states")
        let managedAllowed = PuppetResourcePolicy(PluginSettings(["resource_type_whitelist": "file", "resource_allow_managed_resources": "true"]))
        #expect(managedAllowed.refusal(type: "file", name: "/etc/motd", managed: managed) == nil)
        let black = PuppetResourcePolicy(PluginSettings(["resource_type_blacklist": "exec"]))
        #expect(black.refusal(type: "exec", name: "x", managed: []) == "The exec type is listed in the type blacklist (plugin.puppet.resource_type_blacklist)")
        #expect(black.refusal(type: "service", name: "x", managed: []) == nil)
        let both = PuppetResourcePolicy(PluginSettings(["resource_type_blacklist": "exec", "resource_type_whitelist": "file"]))
        #expect(both.refusal(type: "file", name: "x", managed: [])?.contains("cannot specify both") == true)
        let names = PuppetResourcePolicy(PluginSettings(["resource_type_whitelist": "service", "resource_name_whitelist.service": "ntp,cron"]))
        #expect(names.refusal(type: "service", name: "cron", managed: []) == nil)
        #expect(names.refusal(type: "service", name: "sshd", managed: []) == "The sshd name is not listed in the name whitelist (plugin.puppet.resource_name_whitelist.service)")
    }

    @Test("settings: Debian puppet 7 paths by default; vardir moves every state file; explicit paths win")
    func settings() {
        let defaults = PuppetSettings(PluginSettings())
        #expect(defaults.command == ["puppet", "agent"])
        #expect(defaults.lastRunSummaryFile == "/var/cache/puppet/public/last_run_summary.yaml")
        #expect(defaults.disabledLockFile == "/var/cache/puppet/state/agent_disabled.lock")
        #expect(defaults.catalogRunLockFile == "/var/cache/puppet/state/agent_catalog_run.lock")
        #expect(defaults.resourceFile == "/var/cache/puppet/state/resources.txt")
        #expect(defaults.pidFile == "/run/puppet/agent.pid")
        #expect(defaults.splay && defaults.splayLimit == 30 && defaults.signalDaemon && !defaults.allowServerOverride)
        let moved = PuppetSettings(node: PluginSettings([
            "puppet.command": "/opt/run-puppet  --flag", "puppet.vardir": "/srv/pv", "puppet.lastrunfile": "/x/summary.yaml",
            "puppet.splay": "false", "service.provider": "ignored",
        ]))
        #expect(moved.command == ["/opt/run-puppet", "--flag"])
        #expect(moved.disabledLockFile == "/srv/pv/state/agent_disabled.lock")
        #expect(moved.pidFile == "/srv/pv/run/agent.pid")
        #expect(moved.lastRunSummaryFile == "/x/summary.yaml")
        #expect(!moved.splay)
    }
}
