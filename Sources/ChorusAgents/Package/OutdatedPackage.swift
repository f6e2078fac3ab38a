import RubyMarshal

/// A package with a newer version available: one entry of the `outdated_packages` output,
/// `{:package, :version, :repo}` as MCollective's package agent reports it.
public struct OutdatedPackage: Sendable, Hashable {
    public var package: String
    /// The version an upgrade would install.
    public var version: String
    /// Where that version comes from, as the package manager names it.
    public var repo: String

    public init(package: String, version: String, repo: String) {
        self.package = package
        self.version = version
        self.repo = repo
    }

    public var rubyValue: RubyValue {
        .hash(RubyHash(symbolKeys: ["package": .str(package), "version": .str(version), "repo": .str(repo)]))
    }
}
