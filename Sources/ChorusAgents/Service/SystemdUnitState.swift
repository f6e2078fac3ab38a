/// A unit's state as `systemctl show --property=LoadState,ActiveState,SubState UNIT` prints
/// it: one `Name=value` line per property (systemd prints them in its own order, so the
/// order is not relied on).
public struct SystemdUnitState: Sendable, Hashable {
    /// `loaded`, `not-found`, `masked`, `error`, `bad-setting`, …
    public var loadState: String
    /// `active`, `reloading`, `inactive`, `failed`, `activating`, `deactivating`, …
    public var activeState: String
    /// The unit type's own state (`running`, `dead`, `exited`, …); empty when not printed.
    public var subState: String

    public init(loadState: String, activeState: String, subState: String) {
        self.loadState = loadState
        self.activeState = activeState
        self.subState = subState
    }

    /// Parses `systemctl show` output; nil when `LoadState` or `ActiveState` is missing.
    public init?(showOutput: String) {
        var properties: [Substring: Substring] = [:]
        for line in showOutput.split(whereSeparator: \.isNewline) {
            guard let equals = line.firstIndex(of: "=") else { continue }
            properties[line[..<equals]] = line[line.index(after: equals)...]
        }
        guard let load = properties["LoadState"], let active = properties["ActiveState"] else { return nil }
        self.init(loadState: String(load), activeState: String(active), subState: String(properties["SubState"] ?? ""))
    }

    /// What the service agent reports: a unit systemd cannot find is no service at all;
    /// `active` and `reloading` run; `inactive` and `failed` are stopped; anything else is
    /// a change under way, reported with systemd's word.
    public var reading: ServiceStatusReading {
        if loadState == "not-found" { return .noSuchService }
        switch activeState {
        case "active", "reloading": return .state(.running)
        case "inactive", "failed": return .state(.stopped)
        default: return .state(.changing(activeState))
        }
    }
}
