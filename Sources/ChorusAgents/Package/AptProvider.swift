import ChorusServer

/// Packages through dpkg and apt on Debian and its derivatives.
///
/// Status comes from `dpkg-query`, availability from `apt-cache pkgnames` (a plain prefix
/// listing, so a name is never taken as a pattern), changes from `apt-get` with
/// `DEBIAN_FRONTEND=noninteractive`, keeping modified configuration files (`--force-confold`)
/// and waiting up to a minute for another package run's dpkg lock. Every name is passed
/// after `--`, so it can never be read as an option.
public struct AptProvider: PackageProvider {
    public let name = "apt"
    let budget: CommandBudget

    /// How long one apt-get run may take at most (the action's budget may cut it shorter).
    static let changeTimeout: Duration = .seconds(165)
    static let queryTimeout: Duration = .seconds(30)

    public init(budget: CommandBudget) { self.budget = budget }

    /// Whether this node has dpkg and apt.
    public static var isPresent: Bool {
        SystemCommand("apt-get").resolvedExecutable() != nil && SystemCommand("dpkg-query").resolvedExecutable() != nil
    }

    /// The environment apt runs in: no questions, no pagers, no change-log mails.
    static let environment = SystemCommand.defaultEnvironment.merging([
        "DEBIAN_FRONTEND": "noninteractive", "DEBCONF_NONINTERACTIVE_SEEN": "true",
        "APT_LISTCHANGES_FRONTEND": "none", "UCF_FORCE_CONFFOLD": "1",
    ]) { _, new in new }

    /// Options every changing apt-get run gets.
    static let changeOptions = [
        "-y", "-q", "-o", "DPkg::Lock::Timeout=60",
        "-o", "Dpkg::Options::=--force-confdef", "-o", "Dpkg::Options::=--force-confold",
    ]

    public func status(of package: String) async throws(PackageError) -> PackageQuery {
        let result = try await budget.run(
            SystemCommand("dpkg-query", ["-W", "-f=\(DpkgStatusParser.format)", "--", package], environment: Self.environment),
            atMost: Self.queryTimeout)
        // dpkg-query exits 1 and says "no packages found matching" for a name it never saw.
        let unknown = result.exitStatus == 1 && result.standardError.contains("no packages found")
        guard result.succeeded || unknown else { throw PackageError(failed: result) }
        let status = DpkgStatusParser.status(of: package, in: unknown ? "" : result.standardOutput, provider: name)
        return PackageQuery(status: status, output: result.combinedOutput)
    }

    public func isAvailable(_ package: String) async throws(PackageError) -> Bool {
        let bare = DpkgStatusParser.split(package).name
        let result = try await budget.run(
            SystemCommand("apt-cache", ["pkgnames", "--", bare], environment: Self.environment), atMost: Self.queryTimeout)
        guard result.succeeded else { throw PackageError(failed: result) }
        return result.standardOutput.split(whereSeparator: \.isNewline).contains { $0 == bare }
    }

    public func install(_ package: String, version: String?) async throws(PackageError) -> SystemCommandResult {
        try await change(["install"], version.map { "\(package)=\($0)" } ?? package)
    }

    public func update(_ package: String) async throws(PackageError) -> SystemCommandResult {
        try await change(["install", "--only-upgrade"], package)
    }

    public func uninstall(_ package: String) async throws(PackageError) -> SystemCommandResult {
        try await change(["remove"], package)
    }

    public func purge(_ package: String) async throws(PackageError) -> SystemCommandResult {
        try await change(["purge"], package)
    }

    /// `apt-get update`: refreshes the package lists.
    public func refreshIndex() async throws(PackageError) -> SystemCommandResult {
        try await budget.run(
            SystemCommand("apt-get", ["update", "-q", "-o", "DPkg::Lock::Timeout=60"], environment: Self.environment),
            atMost: Self.changeTimeout)
    }

    /// How to list available upgrades.
    public enum UpgradeListing: String, Sendable {
        /// `apt-get --simulate dist-upgrade` (the default): what an upgrade would really do.
        case simulate
        /// `apt list --upgradable`: every package with a newer candidate, held back or not.
        case list
    }

    /// The packages an upgrade would bring up to date; never changes the system.
    public func checkUpdates(_ listing: UpgradeListing) async throws(PackageError) -> UpdateCheck {
        let command: SystemCommand
        switch listing {
        case .simulate: command = SystemCommand("apt-get", ["--simulate", "-q", "dist-upgrade"], environment: Self.environment)
        case .list: command = SystemCommand("apt", ["list", "--upgradable"], environment: Self.environment)
        }
        let result = try await budget.run(command, atMost: Self.changeTimeout)
        guard let exit = result.exitStatus, !result.timedOut else { throw PackageError(failed: result) }
        let outdated = listing == .simulate
            ? AptSimulationParser.outdatedPackages(in: result.standardOutput)
            : AptListParser.outdatedPackages(in: result.standardOutput)
        return UpdateCheck(packageManager: name, exitCode: Int(exit), output: ToolOutput.tidy(result.standardOutput), outdated: outdated)
    }

    private func change(_ verb: [String], _ target: String) async throws(PackageError) -> SystemCommandResult {
        try await budget.run(
            SystemCommand("apt-get", verb + Self.changeOptions + ["--", target], environment: Self.environment),
            atMost: Self.changeTimeout)
    }
}
