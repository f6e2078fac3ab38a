import ChorusServer

/// yum's cache cleaning and update check, on nodes where yum is installed.
public struct YumTool: Sendable {
    let budget: CommandBudget

    public init(budget: CommandBudget) { self.budget = budget }

    /// Whether this node has yum.
    public static var isPresent: Bool { SystemCommand("yum").resolvedExecutable() != nil }

    /// `yum clean MODE`.
    public func clean(mode: String) async throws(PackageError) -> SystemCommandResult {
        try await budget.run(SystemCommand("yum", ["clean", mode]), atMost: .seconds(165))
    }

    /// `yum -q check-update`: exit status 100 means updates are available, 0 none.
    public func checkUpdates() async throws(PackageError) -> UpdateCheck {
        let result = try await budget.run(SystemCommand("yum", ["-q", "check-update"]), atMost: .seconds(165))
        guard let exit = result.exitStatus, exit == 0 || exit == 100, !result.timedOut else { throw PackageError(failed: result) }
        return UpdateCheck(
            packageManager: "yum", exitCode: Int(exit), output: ToolOutput.tidy(result.standardOutput),
            outdated: YumCheckUpdateParser.outdatedPackages(in: result.standardOutput))
    }
}
