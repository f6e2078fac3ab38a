import ChorusServer

/// The `puppetral` agent's settings (`plugin.puppetral.<key>` in server.cfg or
/// `plugin.d/puppetral.cfg`).
///
/// | key | meaning | default |
/// |---|---|---|
/// | `show_password_hashes` | show users' password hashes (Puppet shows them to root) | `false`: hashes read `<redacted>` |
/// | `hosts_file` | the hosts file `host` resources come from (and their `target`) | `/etc/hosts` |
/// | `passwd_file`, `shadow_file`, `group_file` | the account files users and groups come from | `/etc/passwd`, `/etc/shadow`, `/etc/group` |
/// | `resourcefile` | Puppet's list of managed resources, for `find`'s `managed` | the first that exists of Puppet's usual places |
/// | `service_provider` | `debian` (init scripts) or `systemd` | `systemd` when PID 1 is systemd, else `debian` |
/// | `command_timeout` | seconds each status command may run | 30 |
public struct RALSettings: Sendable, Hashable {
    public var showPasswordHashes = false
    public var hostsFile = "/etc/hosts"
    public var passwdFile = "/etc/passwd"
    public var shadowFile = "/etc/shadow"
    public var groupFile = "/etc/group"
    /// nil: the first of `defaultResourceFiles` that exists.
    public var resourceFile: String?
    /// nil: detected from PID 1.
    public var serviceProvider: RALServiceProviderKind?
    public var initScriptDirectory = "/etc/init.d"
    /// The directory holding the `rc*.d` link directories.
    public var rcDirectoryParent = "/etc"
    public var commandTimeout: Duration = .seconds(30)

    /// Where Puppet keeps `resources.txt`: Puppet 7 from Debian, Puppet's own packages, PE 3.8, Puppet 3.
    public static let defaultResourceFiles = [
        "/var/cache/puppet/state/resources.txt",
        "/opt/puppetlabs/puppet/cache/state/resources.txt",
        "/var/opt/lib/pe-puppet/state/resources.txt",
        "/var/lib/puppet/state/resources.txt",
    ]

    public init() {}

    /// The settings from a node's `plugin.*` values; a bad `service_provider` is an error that says what is allowed.
    public init(_ settings: PluginSettings) throws(RALError) {
        let own = settings.scoped(to: "puppetral")
        showPasswordHashes = own.bool("show_password_hashes", default: false)
        hostsFile = own["hosts_file"] ?? hostsFile
        passwdFile = own["passwd_file"] ?? passwdFile
        shadowFile = own["shadow_file"] ?? shadowFile
        groupFile = own["group_file"] ?? groupFile
        resourceFile = own["resourcefile"]
        commandTimeout = .seconds(max(1, own.integer("command_timeout", default: 30)))
        if let provider = own["service_provider"] {
            guard let kind = RALServiceProviderKind(rawValue: provider) else {
                throw .badSetting("plugin.puppetral.service_provider = \(provider): use debian or systemd, or leave it unset to detect")
            }
            serviceProvider = kind
        }
    }
}

/// How services are read: Debian's init scripts or systemd units (Puppet's `debian` and `systemd` providers).
public enum RALServiceProviderKind: String, Sendable, Hashable {
    case debian, systemd
}

/// Why the RAL could not answer.
public enum RALError: Error, Sendable, Hashable, CustomStringConvertible {
    case unsupportedType(String)
    case unreadable(String, String)
    case commandFailed(String)
    case badSetting(String)
    case invalidTitle(String)

    public var description: String {
        switch self {
        case .unsupportedType(let type):
            return "Resource type '\(type)' is not supported: Chorus's puppetral reads \(RALResourceType.supportedNames.joined(separator: ", "))"
        case .unreadable(let path, let reason): return "cannot read \(path): \(reason)"
        case .commandFailed(let message): return message
        case .badSetting(let message): return "bad setting \(message)"
        case .invalidTitle(let message): return message
        }
    }
}
