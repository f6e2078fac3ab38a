import ChorusServer

/// A package system the package agent installs, removes and inspects packages with.
///
/// Implementations run programs through `SystemCommand` only, with names the agent has
/// already checked (`PackageName`). `AptProvider` is the one Chorus has; the protocol is
/// the seam for others.
public protocol PackageProvider: Sendable {
    /// The provider's name as the `provider` output reports it.
    var name: String { get }
    /// What the package database says about `package`.
    func status(of package: String) async throws(PackageError) -> PackageQuery
    /// Whether the configured repositories (or the database) know `package` by exactly that name.
    func isAvailable(_ package: String) async throws(PackageError) -> Bool
    /// Installs `package`, at `version` when one is given.
    func install(_ package: String, version: String?) async throws(PackageError) -> SystemCommandResult
    /// Upgrades an installed `package` to its candidate version.
    func update(_ package: String) async throws(PackageError) -> SystemCommandResult
    /// Removes `package`, keeping its configuration files.
    func uninstall(_ package: String) async throws(PackageError) -> SystemCommandResult
    /// Removes `package` and its configuration files.
    func purge(_ package: String) async throws(PackageError) -> SystemCommandResult
}

/// A status query's answer and what the query printed.
public struct PackageQuery: Sendable, Hashable {
    public var status: PackageStatus
    public var output: String

    public init(status: PackageStatus, output: String) {
        self.status = status
        self.output = output
    }
}

/// The answer of an update check (`checkupdates` and friends).
public struct UpdateCheck: Sendable, Hashable {
    /// `apt` or `yum`.
    public var packageManager: String
    public var exitCode: Int
    public var output: String
    public var outdated: [OutdatedPackage]

    public init(packageManager: String, exitCode: Int, output: String, outdated: [OutdatedPackage]) {
        self.packageManager = packageManager
        self.exitCode = exitCode
        self.output = output
        self.outdated = outdated
    }
}

/// A package operation that could not be done; the agent replies with status 1 and this message.
public struct PackageError: Error, Sendable, Hashable, CustomStringConvertible {
    public var description: String

    public init(_ description: String) { self.description = description }

    /// A command that could not start.
    init(_ error: SystemCommandError) { description = "\(error)" }

    /// A command that ran and failed: what ran, how it ended, and the last thing it said.
    init(failed result: SystemCommandResult) {
        let said = ToolOutput.tidy(result.standardError.isEmpty ? result.standardOutput : result.standardError)
        let last = said.split(separator: "\n").last.map { ": \($0)" } ?? ""
        description = "\(result.command) \(result.outcomeDescription)\(last)"
    }
}
