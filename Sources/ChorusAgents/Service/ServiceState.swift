/// Whether a service runs, in the words the service agent replies with.
///
/// MCollective's service agent answers `running` or `stopped`; systemd can also be caught
/// between the two (`activating`, `deactivating`), which is reported with systemd's own word.
public enum ServiceState: Sendable, Hashable, CustomStringConvertible {
    case running
    case stopped
    /// On its way from one state to the other; the provider's word for it (`activating`).
    case changing(String)

    /// The reply's `status` value: `running`, `stopped`, or the word for the change under way.
    public var description: String {
        switch self {
        case .running: return "running"
        case .stopped: return "stopped"
        case .changing(let word): return word
        }
    }
}

/// What a provider learnt when it asked about a service.
public enum ServiceStatusReading: Sendable, Hashable {
    /// The service exists and is in this state.
    case state(ServiceState)
    /// The system has no service of that name.
    case noSuchService
    /// The answer could not be read; the text says what was seen.
    case unreadable(String)
}

/// The service agent's actions that change a service.
public enum ServiceControl: String, Sendable, Hashable, CaseIterable {
    case start, stop, restart

    /// The state the action aims for: `running` after start and restart, `stopped` after stop.
    public var goal: ServiceState {
        switch self {
        case .start, .restart: return .running
        case .stop: return .stopped
        }
    }
}
