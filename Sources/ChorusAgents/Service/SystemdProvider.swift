import ChorusServer

/// Services as systemd units, through `systemctl`.
///
/// The state comes from `systemctl show --property=LoadState,ActiveState,SubState`, which
/// (unlike `systemctl is-active`) tells a unit that does not exist from one that is stopped.
/// Unit names go after `--`, so no name is ever read as an option.
public struct SystemdProvider: ServiceProvider {
    public let name = "systemd"
    /// The `systemctl` program: a path, or a name looked up on the agents' `PATH`.
    public var systemctl: String
    /// How long a `start`, `stop` or `restart` may take.
    public var controlTimeout: Duration

    public init(systemctl: String = "systemctl", controlTimeout: Duration = .seconds(45)) {
        self.systemctl = systemctl
        self.controlTimeout = controlTimeout
    }

    public func status(of service: String) async throws(ServiceProviderError) -> ServiceState {
        let command = SystemCommand(systemctl, ["show", "--property=LoadState,ActiveState,SubState", "--", service], timeout: .seconds(15), outputLimit: 64 << 10)
        let result = try await run(command)
        guard result.succeeded else {
            throw .unavailable("cannot ask systemd about '\(service)': " + result.failureDescription())
        }
        guard let unit = SystemdUnitState(showOutput: result.standardOutput) else {
            throw .unavailable("cannot read what `\(result.command)` printed (no LoadState/ActiveState): \(result.combinedOutput)")
        }
        switch unit.reading {
        case .state(let state): return state
        case .noSuchService: throw .noSuchService(service, checked: "systemd has no unit of that name: LoadState=\(unit.loadState)")
        case .unreadable(let detail): throw .unavailable(detail)
        }
    }

    public func perform(_ control: ServiceControl, on service: String) async throws(ServiceProviderError) {
        let command = SystemCommand(systemctl, [control.rawValue, "--", service], timeout: controlTimeout, outputLimit: 64 << 10)
        let result = try await run(command)
        guard result.succeeded else {
            throw .commandFailed("could not \(control.rawValue) '\(service)': " + result.failureDescription())
        }
    }

    private func run(_ command: SystemCommand) async throws(ServiceProviderError) -> SystemCommandResult {
        do {
            return try await command.run()
        } catch {
            throw .unavailable("the systemd provider cannot run systemctl: \(error)")
        }
    }
}
