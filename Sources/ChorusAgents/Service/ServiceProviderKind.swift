import Foundation

/// Which provider a node uses, from `plugin.service.provider` and whether systemd runs.
public enum ServiceProviderKind: String, Sendable, Hashable, CaseIterable {
    case systemd
    case initScripts = "init"

    /// The provider for this node. Without a setting: systemd when it is running, else init
    /// scripts. `systemd` is refused on a node where systemd is not running, because every
    /// `systemctl` call would fail there; `init` is always possible (`service` is also
    /// accepted for it, the name of MCollective's provider that ran the `service` program).
    public static func select(setting: String?, systemdRunning: Bool) -> Result<ServiceProviderKind, ServiceSetupError> {
        let wanted = setting?.trimmingCharacters(in: .whitespaces).lowercased() ?? ""
        switch wanted {
        case "":
            return .success(systemdRunning ? .systemd : .initScripts)
        case "systemd":
            guard systemdRunning else {
                return .failure(ServiceSetupError(
                    "plugin.service.provider = systemd, but systemd is not running on this node "
                        + "(\(SystemdDetection.marker) does not exist): set plugin.service.provider = init, "
                        + "or remove the setting to let the node detect its provider"))
            }
            return .success(.systemd)
        case "init", "service", "sysv":
            return .success(.initScripts)
        default:
            return .failure(ServiceSetupError(
                "plugin.service.provider = \(setting ?? "") is not a provider Chorus has: use systemd or init, "
                    + "or remove the setting to let the node detect its provider"))
        }
    }
}

/// The service agent's configuration cannot work on this node; every action fails with this message.
public struct ServiceSetupError: Error, Sendable, Hashable, CustomStringConvertible {
    public var description: String

    public init(_ description: String) { self.description = description }
}

/// systemd's own rule (`sd_booted`): the system runs systemd when `/run/systemd/system` is a directory.
public enum SystemdDetection {
    public static let marker = "/run/systemd/system"

    /// Whether `marker` (under `root`) is a directory.
    public static func isRunning(root: String = "") -> Bool {
        var isDirectory: ObjCBool = false
        return FileManager.default.fileExists(atPath: root + marker, isDirectory: &isDirectory) && isDirectory.boolValue
    }
}
