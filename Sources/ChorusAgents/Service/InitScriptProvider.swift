import ChorusServer
import Foundation

/// Services as LSB init scripts in `/etc/init.d`.
///
/// A script that does not exist is no service, and nothing runs. Otherwise the script runs
/// through `service NAME ACTION` (which gives it a clean environment), or directly as
/// `/etc/init.d/NAME ACTION` when `service` is not installed. Exit statuses follow the LSB:
/// see `LSBExitStatus`.
public struct InitScriptProvider: ServiceProvider {
    public let name = "init"
    /// The directory of init scripts.
    public var scriptDirectory: String
    /// Debian's `service` wrapper; when it is not executable, scripts run directly.
    public var serviceProgram: String
    /// How long a `start`, `stop` or `restart` may take.
    public var controlTimeout: Duration

    public init(scriptDirectory: String = "/etc/init.d", serviceProgram: String = "/usr/sbin/service", controlTimeout: Duration = .seconds(45)) {
        self.scriptDirectory = scriptDirectory
        self.serviceProgram = serviceProgram
        self.controlTimeout = controlTimeout
    }

    public func status(of service: String) async throws(ServiceProviderError) -> ServiceState {
        let result = try await run(try command(service, "status", timeout: .seconds(15)))
        switch LSBExitStatus.statusReading(exitStatus: result.exitStatus, output: result.combinedOutput) {
        case .state(let state) where !result.timedOut:
            return state
        case .state:
            throw .commandFailed("cannot tell whether '\(service)' runs: " + result.failureDescription())
        case .noSuchService:
            throw .noSuchService(service, checked: result.failureDescription())
        case .unreadable(let detail):
            throw .commandFailed("cannot tell whether '\(service)' runs: \(detail): " + result.failureDescription())
        }
    }

    public func perform(_ control: ServiceControl, on service: String) async throws(ServiceProviderError) {
        let result = try await run(try command(service, control.rawValue, timeout: controlTimeout))
        guard result.succeeded else {
            let meaning = result.exitStatus.map { LSBExitStatus.meaningOfAction($0) }
            throw .commandFailed("could not \(control.rawValue) '\(service)': " + result.failureDescription(meaning: meaning))
        }
    }

    /// The command for `action` on `service`; throws when there is no such script.
    public func command(_ service: String, _ action: String, timeout: Duration) throws(ServiceProviderError) -> SystemCommand {
        let script = "\(scriptDirectory)/\(service)"
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: script, isDirectory: &isDirectory), !isDirectory.boolValue else {
            throw .noSuchService(service, checked: "there is no init script \(script)")
        }
        let viaService = SystemCommand(serviceProgram, [service, action], timeout: timeout, outputLimit: 64 << 10)
        if viaService.resolvedExecutable() != nil { return viaService }
        guard FileManager.default.isExecutableFile(atPath: script) else {
            throw .unavailable("cannot run \(script): it is not executable and \(serviceProgram) is not installed")
        }
        return SystemCommand(script, [action], timeout: timeout, outputLimit: 64 << 10)
    }

    private func run(_ command: SystemCommand) async throws(ServiceProviderError) -> SystemCommandResult {
        do {
            return try await command.run()
        } catch {
            throw .unavailable("the init provider cannot run \(command.executable): \(error)")
        }
    }
}
