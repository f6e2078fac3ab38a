/// The decisions Puppet's `debian` and `systemd` service providers make, as pure functions of
/// what the node's files and commands said.
public enum RALServiceRules {
    /// Init scripts Puppet never lists (its `init` provider's exclude list: helpers, scripts
    /// that take parameters, and scripts unsafe to run with `status`).
    public static let excludedScripts: Set<String> = [
        "functions.sh", "reboot.sh", "shutdown.sh", "functions", "halt", "killall", "single", "linuxconf",
        "reboot", "boot", "wait-for-state", "portmap-wait", "rcS", "module-init-tools", "plymouth-ready",
        "idmapd-mounting", "startpar-bridge", "cryptdisks-udev", "statd-mounting", "gssd-mounting",
    ]

    /// One entry of the init script directory.
    public struct ScriptEntry: Sendable, Hashable {
        public var name: String
        public var isDirectory: Bool
        public var isExecutable: Bool
        /// Where the entry points when it is a symbolic link.
        public var linkTarget: String?

        public init(name: String, isDirectory: Bool, isExecutable: Bool, linkTarget: String? = nil) {
            self.name = name
            self.isDirectory = isDirectory
            self.isExecutable = isExecutable
            self.linkTarget = linkTarget
        }
    }

    /// The services an init script directory holds, sorted by name: executable files that are
    /// not hidden, not excluded, and not links to Upstart's job wrapper.
    public static func initServices(_ entries: [ScriptEntry]) -> [String] {
        entries.filter { entry in
            !entry.name.hasPrefix(".") && !excludedScripts.contains(entry.name) && !entry.isDirectory
                && entry.isExecutable && entry.linkTarget != "/lib/init/upstart-job"
        }.map(\.name).sorted()
    }

    /// `service NAME status` exiting 0 means running; anything else (or no exit status) stopped.
    public static func ensure(statusExit: Int32?) -> String {
        statusExit == 0 ? "running" : "stopped"
    }

    /// The `debian` provider's `enabled?`: `invoke-rc.d --quiet --query NAME start` exits
    /// 104 or 106 when the service would start; 101 (not allowed by policy) or 105 (unknown)
    /// fall back to counting start links, enabled with four or more; anything else is disabled.
    public static func debianEnabled(invokeRcExit: Int32?, startLinks: Int) -> Bool {
        switch invokeRcExit {
        case 104, 106: return true
        case 101, 105: return startLinks >= 4
        default: return false
        }
    }

    /// Start links of `service` among rc directory listings (`/etc/rc*.d/S??NAME`): entries of
    /// directories named `rc*.d` that are `S`, two characters, then the service name.
    public static func startLinkCount(_ service: String, listings: [String: [String]]) -> Int {
        listings.filter { $0.key.hasPrefix("rc") && $0.key.hasSuffix(".d") }.values.reduce(0) { count, names in
            count + names.filter { name in
                name.count == service.count + 3 && name.hasPrefix("S") && name.hasSuffix(service)
            }.count
        }
    }

    /// The units `systemctl list-unit-files --type service --full --all --no-pager` lists that
    /// Puppet's `systemd` provider takes: `^(\S+)\s+(disabled|enabled|masked|indirect|bad|static)\s*([^-]\S+)?\s*$`.
    public static func systemdServices(_ output: String) -> [String] {
        output.split(separator: "\n").compactMap { line in
            (try? systemdLine.wholeMatch(in: line)).map { String($0.output.1) }
        }
    }

    nonisolated(unsafe) static let systemdLine =
        #/(\S+)\s+(disabled|enabled|masked|indirect|bad|static)\s*([^-]\S+)?\s*/#.ignoresCase().asciiOnlyWhitespace()

    /// The `systemd` provider's `enabled?` from `systemctl is-enabled -- NAME`: `indirect` is
    /// disabled, exit 0 enabled; on Debian an empty answer with a failure falls back to the
    /// init script rules (`debianFallback`); anything else is disabled.
    public static func systemdEnabled(isEnabledOutput: String, exit: Int32?, debianFallback: () -> Bool) -> Bool {
        // Puppet compares `output.chomp`: one trailing line break removed.
        var output = Substring(isEnabledOutput)
        if output.last?.isNewline == true { output = output.dropLast() }
        if output == "indirect" { return false }
        if exit == 0 { return true }
        if output.isEmpty, let exit, exit > 0 { return debianFallback() }
        return false
    }

    /// Why `title` cannot name a service, nil when it can. Titles reach `service`,
    /// `invoke-rc.d` and `systemctl` as arguments, and `service` runs `/etc/init.d/TITLE`, so a
    /// title must not contain `/`, must not start with `-` or `.`, and has no control characters.
    public static func problem(withTitle title: String) -> String? {
        if title.contains("/") { return "a service name cannot contain '/'" }
        if title.hasPrefix("-") || title.hasPrefix(".") { return "a service name cannot start with '\(title.prefix(1))'" }
        if title.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) { return "a service name cannot contain control characters" }
        return nil
    }
}
