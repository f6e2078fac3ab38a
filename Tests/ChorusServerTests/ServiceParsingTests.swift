import ChorusAgents
import Foundation
import Testing

/// The service agent's pure parts: what `systemctl show` and LSB exit statuses mean, which
/// provider a node picks, and which names are refused. Recorded outputs live in
/// Tests/Fixtures/service (see its README for where each came from).
@Suite("Service agent parsers")
struct ServiceParsingTests {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/service")

    static func fixture(_ name: String) throws -> String {
        try String(contentsOf: fixtures.appendingPathComponent(name), encoding: .utf8)
    }

    @Test("systemctl show output, one file per unit state", arguments: [
        ("systemctl-show-running.txt", ServiceStatusReading.state(.running)),
        ("systemctl-show-stopped.txt", .state(.stopped)),
        ("systemctl-show-failed.txt", .state(.stopped)),
        ("systemctl-show-activating.txt", .state(.changing("activating"))),
        ("systemctl-show-not-found.txt", .noSuchService),
    ])
    func systemctlShow(file: String, expected: ServiceStatusReading) throws {
        let unit = try #require(SystemdUnitState(showOutput: try Self.fixture(file)))
        #expect(unit.reading == expected)
    }

    @Test("systemctl show: every property read, in any order; LoadState and ActiveState are required")
    func systemctlShowShape() throws {
        let running = try #require(SystemdUnitState(showOutput: try Self.fixture("systemctl-show-running.txt")))
        #expect(running == SystemdUnitState(loadState: "loaded", activeState: "active", subState: "running"))
        let shuffled = SystemdUnitState(showOutput: "SubState=exited\nActiveState=reloading\nLoadState=loaded")
        #expect(shuffled == SystemdUnitState(loadState: "loaded", activeState: "reloading", subState: "exited"))
        #expect(shuffled?.reading == .state(.running))
        // A value may itself hold '=': only the first one splits.
        #expect(SystemdUnitState(showOutput: "LoadState=loaded\nActiveState=a=b\n")?.activeState == "a=b")
        #expect(SystemdUnitState(showOutput: "LoadState=loaded\n") == nil)
        #expect(SystemdUnitState(showOutput: try Self.fixture("systemctl-show-not-booted.exit1.txt")) == nil)
        #expect(SystemdUnitState(showOutput: "") == nil)
    }

    @Test("recorded init script and service wrapper answers to status", arguments: [
        ("lsb-status-running.exit0.txt", Int32(0), ServiceStatusReading.state(.running)),
        ("lsb-status-stopped.exit3.txt", 3, .state(.stopped)),
        ("lsb-status-puppet-stopped.exit3.txt", 3, .state(.stopped)),
        ("service-unrecognized.exit1.txt", 1, .noSuchService),
    ])
    func recordedStatus(file: String, exit: Int32, expected: ServiceStatusReading) throws {
        // The exit status is part of the file name: NAME.exitN.txt.
        #expect(file.contains(".exit\(exit)."))
        #expect(LSBExitStatus.statusReading(exitStatus: exit, output: try Self.fixture(file)) == expected)
    }

    @Test("LSB status exit codes")
    func lsbStatusCodes() {
        #expect(LSBExitStatus.statusReading(exitStatus: 0, output: "") == .state(.running))
        for code: Int32 in [1, 2, 3] {
            #expect(LSBExitStatus.statusReading(exitStatus: code, output: "x is not running") == .state(.stopped))
        }
        #expect(LSBExitStatus.statusReading(exitStatus: 4, output: "") == .noSuchService)
        #expect(LSBExitStatus.statusReading(exitStatus: 5, output: "") == .unreadable("status exit code 5 (reserved by the LSB)"))
        #expect(LSBExitStatus.statusReading(exitStatus: 150, output: "") == .unreadable("status exit code 150 (reserved for the distribution)"))
        #expect(LSBExitStatus.statusReading(exitStatus: nil, output: "") == .unreadable("the status command was killed by a signal"))
        // "unrecognized service" only means a missing service with the wrapper's status 1.
        #expect(LSBExitStatus.statusReading(exitStatus: 0, output: "unrecognized service") == .state(.running))
        #expect(LSBExitStatus.meaningOfAction(5) == "program is not installed")
        #expect(LSBExitStatus.meaningOfAction(1) == "generic or unspecified error")
        #expect(LSBExitStatus.meaningOfStatus(1) == "dead, pid file exists")
    }

    @Test("provider detection and the plugin.service.provider override")
    func providerSelection() throws {
        #expect(try ServiceProviderKind.select(setting: nil, systemdRunning: true).get() == .systemd)
        #expect(try ServiceProviderKind.select(setting: nil, systemdRunning: false).get() == .initScripts)
        #expect(try ServiceProviderKind.select(setting: " ", systemdRunning: false).get() == .initScripts)
        #expect(try ServiceProviderKind.select(setting: "init", systemdRunning: true).get() == .initScripts)
        #expect(try ServiceProviderKind.select(setting: "service", systemdRunning: true).get() == .initScripts)
        #expect(try ServiceProviderKind.select(setting: "SystemD", systemdRunning: true).get() == .systemd)

        guard case .failure(let noSystemd) = ServiceProviderKind.select(setting: "systemd", systemdRunning: false) else {
            Issue.record("systemd was accepted on a node without systemd")
            return
        }
        #expect(noSystemd.description.contains("systemd is not running on this node (/run/systemd/system does not exist)"))
        #expect(noSystemd.description.contains("set plugin.service.provider = init"))

        guard case .failure(let unknown) = ServiceProviderKind.select(setting: "puppet", systemdRunning: true) else {
            Issue.record("an unknown provider was accepted")
            return
        }
        #expect(unknown.description.hasPrefix("plugin.service.provider = puppet is not a provider Chorus has: use systemd or init"))
    }

    @Test("names the service_name validator lets through but the agent refuses")
    func nameRules() {
        for name in ["nginx", "getty@tty1", "php7.4-fpm", "my_service", "a"] {
            #expect(ServiceNameRules.problem(with: name) == nil, "\(name)")
        }
        for name in ["--status-all", "-h", ".", ".."] {
            #expect(ServiceNameRules.problem(with: name)?.hasPrefix("\(name) is not a valid service name") == true, "\(name)")
        }
    }

    @Test("the goal of each action and the words replied")
    func goalsAndWords() {
        #expect(ServiceControl.start.goal == .running && ServiceControl.restart.goal == .running && ServiceControl.stop.goal == .stopped)
        #expect(ServiceState.running.description == "running")
        #expect(ServiceState.stopped.description == "stopped")
        #expect(ServiceState.changing("deactivating").description == "deactivating")
    }
}
