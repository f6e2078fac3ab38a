import ChorusServer

/// How the service agent reaches the node's services: systemd (`systemctl`) or init scripts.
public protocol ServiceProvider: Sendable {
    /// The provider's name as `plugin.service.provider` spells it.
    var name: String { get }
    /// The service's state now; throws `ServiceProviderError.noSuchService` when there is none.
    func status(of service: String) async throws(ServiceProviderError) -> ServiceState
    /// Starts, stops or restarts the service; returns once the command has finished.
    func perform(_ control: ServiceControl, on service: String) async throws(ServiceProviderError)
}

/// Why a provider could not answer or act.
public enum ServiceProviderError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The system has no service of that name; `checked` says where the provider looked.
    case noSuchService(String, checked: String)
    /// A command ran and failed; the text names the command, how it ended and what it printed.
    case commandFailed(String)
    /// The provider cannot work on this node at all (its program is missing, systemd is down).
    case unavailable(String)

    public var description: String {
        switch self {
        case .noSuchService(let service, let checked):
            return "no such service '\(service)' on this node (\(checked))"
        case .commandFailed(let message), .unavailable(let message):
            return message
        }
    }
}

extension SystemCommandResult {
    /// "`service x start` exited with status 1 (generic error): <output>", for failure messages;
    /// the output is cut to its last 600 characters.
    func failureDescription(meaning: String? = nil) -> String {
        var text = "`\(command)` \(outcomeDescription)"
        if let meaning { text += " (\(meaning))" }
        let output = combinedOutput
        if !output.isEmpty { text += ": " + (output.count > 600 ? "…" + String(output.suffix(600)) : output) }
        return text
    }
}
