import RubyMarshal

/// What the package manager knows about one package: the pure result of a status query,
/// and the outputs every package action (`install`, `status`, …) replies with.
public struct PackageStatus: Sendable, Hashable {
    /// Where a package stands, in Puppet's words (MCollective's package agent answers with them).
    public enum Presence: Sendable, Hashable {
        /// Installed (or installed with triggers pending) at this version.
        case installed(DebianVersion)
        /// Not installed, but something remains: configuration files, or a half-done install.
        case absent
        /// Unknown to the package database, or forgotten entirely.
        case purged
    }

    public var name: String
    public var presence: Presence
    /// The architecture, when the package is installed.
    public var arch: String?
    /// The provider that answered, e.g. `apt`.
    public var provider: String
    /// The package database's own words for the state (dpkg's `install ok installed`), if any.
    public var detail: String?

    public init(name: String, presence: Presence, arch: String? = nil, provider: String, detail: String? = nil) {
        self.name = name
        self.presence = presence
        self.arch = arch
        self.provider = provider
        self.detail = detail
    }

    public var isInstalled: Bool {
        if case .installed = presence { return true }
        return false
    }

    /// The `ensure` output: the installed version, `absent` or `purged`.
    public var ensure: String {
        switch presence {
        case .installed(let version): return version.description
        case .absent: return "absent"
        case .purged: return "purged"
        }
    }

    /// The reply outputs this status fills (every package action's outputs but `output`).
    /// Version parts and the architecture are nil unless the package is installed.
    public var outputs: [(name: String, value: RubyValue)] {
        var version: DebianVersion?
        if case .installed(let installed) = presence { version = installed }
        func text(_ value: String?) -> RubyValue { value.map { .str($0) } ?? .nil }
        return [
            ("name", .str(name)),
            ("ensure", .str(ensure)),
            ("version", text(version?.upstream)),
            ("release", text(version?.revision)),
            ("epoch", text(version?.epoch)),
            ("arch", text(version == nil ? nil : arch)),
            ("provider", .str(provider)),
        ]
    }
}
