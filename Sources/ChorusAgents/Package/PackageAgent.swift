import ChorusCore
import ChorusServer
import RubyMarshal

/// `package`: installs, updates, removes and reports packages, refreshes apt's lists and
/// lists available upgrades (MCollective's package agent, through dpkg/apt; the yum
/// actions work where yum is installed and say so clearly where it is not).
///
/// The DDL checks every input first (status 4). The agent then holds package names to
/// package-name syntax (status 4 too), since apt-get would read `-x` as an option and
/// `lib.*` as a pattern, and installs only names apt knows exactly. Changes follow
/// MCollective's rules: installing an installed package, or updating or removing one that
/// is not there, fails (status 1) with the package's status in the reply.
public struct PackageAgent: RPCAgent {
    public let ddl: AgentDDL
    let settings: PackageSettings

    public init(settings: PluginSettings = PluginSettings()) throws {
        ddl = try BuiltinDDL.named("package")!
        self.settings = PackageSettings(settings.scoped(to: "package"))
    }

    public func perform(_ request: ActionRequest, reply: inout ActionReply, node: any NodeContext) async throws {
        let budget = CommandBudget(ddlTimeout: ddl.metadata.timeout)
        do {
            switch request.action {
            case "status", "install", "update", "uninstall", "purge":
                try await packageAction(request, reply: &reply, provider: try provider(budget: budget))
            case "apt_update":
                let result = try await apt(budget: budget, for: "apt_update").refreshIndex()
                reply["exitcode"] = result.exitStatus.map { .int(Int($0)) } ?? .nil
                reply["output"] = .str(ToolOutput.tidy(result.combinedOutput))
                guard result.succeeded else { throw PackageError(failed: result) }
            case "apt_checkupdates":
                try report(try await apt(budget: budget, for: "apt_checkupdates").checkUpdates(try upgradeListing()), into: &reply)
            case "yum_checkupdates":
                try report(try await yum(budget: budget, for: "yum_checkupdates").checkUpdates(), into: &reply)
            case "checkupdates":
                try await checkUpdates(reply: &reply, budget: budget)
            case "yum_clean":
                let mode = request["mode"]?.stringValue ?? settings.yumCleanMode
                let tool = try yum(budget: budget, for: "yum_clean")
                guard Self.yumCleanModes.contains(mode) else {
                    throw PackageError("plugin.package.yum_clean_mode = \(mode) is not a yum clean mode; use one of \(Self.yumCleanModes.joined(separator: ", "))")
                }
                let result = try await tool.clean(mode: mode)
                reply["exitcode"] = result.exitStatus.map { .int(Int($0)) } ?? .nil
                reply["output"] = .str(ToolOutput.tidy(result.combinedOutput))
                guard result.succeeded else { throw PackageError(failed: result) }
            default:
                throw RPCError.unknownAction("Unknown action \(request.action) for agent package")
            }
        } catch let error as PackageError {
            throw RPCError.aborted(error.description)
        }
    }

    static let yumCleanModes = ["all", "headers", "packages", "metadata", "dbcache", "plugins", "expire-cache"]

    // MARK: - Package actions

    private func packageAction(_ request: ActionRequest, reply: inout ActionReply, provider: any PackageProvider) async throws {
        let package = request["package"]?.stringValue ?? ""
        if let problem = PackageName.problem(with: package) {
            throw RPCError.invalidData("Cannot validate input package: \(problem)")
        }
        let version = request["version"]?.stringValue
        if let version, let problem = PackageName.versionProblem(with: version) {
            throw RPCError.invalidData("Cannot validate input version: \(problem)")
        }
        let before = try await provider.status(of: package)
        fill(&reply, with: before.status)
        let result: SystemCommandResult
        switch request.action {
        case "status":
            reply["output"] = .str(before.output)
            return
        case "install":
            if before.status.isInstalled && version == nil {
                throw PackageError("Package is already installed: \(package) \(before.status.ensure); use update to upgrade it, or name a version")
            }
            guard try await provider.isAvailable(package) else {
                throw PackageError("Package \(package) is not known to \(provider.name): check the name, or run apt_update after adding its repository")
            }
            result = try await provider.install(package, version: version)
        case "update":
            guard before.status.isInstalled else {
                throw PackageError("Package is not present on the system: \(package) is \(before.status.ensure); install it first")
            }
            result = try await provider.update(package)
        case "uninstall":
            guard before.status.isInstalled else {
                throw PackageError("Package is not present on the system: \(package) is \(before.status.ensure)")
            }
            result = try await provider.uninstall(package)
        default:  // purge: also clears what an uninstall left behind
            guard before.status.presence != .purged else {
                throw PackageError("Package is not present on the system: \(package) is already purged")
            }
            result = try await provider.purge(package)
        }
        reply["output"] = .str(ToolOutput.tidy(result.combinedOutput))
        let after = try await provider.status(of: package)
        fill(&reply, with: after.status)
        guard result.succeeded else { throw PackageError(failed: result) }
    }

    private func fill(_ reply: inout ActionReply, with status: PackageStatus) {
        for output in status.outputs { reply[output.name] = output.value }
    }

    // MARK: - Update checks

    private func checkUpdates(reply: inout ActionReply, budget: CommandBudget) async throws {
        switch try packageManager(for: "checkupdates") {
        case .apt: try report(try await AptProvider(budget: budget).checkUpdates(try upgradeListing()), into: &reply, naming: true)
        case .yum: try report(try await YumTool(budget: budget).checkUpdates(), into: &reply, naming: true)
        }
    }

    /// Fills the check's outputs; `naming` adds `package_manager` (only `checkupdates` declares it).
    private func report(_ check: UpdateCheck, into reply: inout ActionReply, naming: Bool = false) throws {
        reply["exitcode"] = .int(check.exitCode)
        reply["output"] = .str(check.output)
        reply["outdated_packages"] = .array(check.outdated.map(\.rubyValue))
        if naming { reply["package_manager"] = .str(check.packageManager) }
        let success = check.packageManager == "yum" ? [0, 100] : [0]
        guard success.contains(check.exitCode) else {
            throw PackageError("\(check.packageManager) could not check for updates (exit status \(check.exitCode)): \(check.output.split(separator: "\n").last ?? "")")
        }
    }

    private func upgradeListing() throws(PackageError) -> AptProvider.UpgradeListing {
        guard let listing = AptProvider.UpgradeListing(rawValue: settings.aptUpgradeListing) else {
            throw PackageError("plugin.package.apt_checkupdates = \(settings.aptUpgradeListing) is not a listing method; use simulate or list")
        }
        return listing
    }

    // MARK: - Providers

    enum Manager { case apt, yum }

    /// The node's package manager: `plugin.package.provider`, else apt where dpkg and apt are
    /// installed, else yum.
    private func packageManager(for action: String) throws(PackageError) -> Manager {
        switch settings.provider {
        case "apt"?:
            guard AptProvider.isPresent else { throw PackageError("plugin.package.provider is apt, but apt-get or dpkg-query is not installed on this node") }
            return .apt
        case "yum"?:
            guard YumTool.isPresent else { throw PackageError("plugin.package.provider is yum, but yum is not installed on this node") }
            return .yum
        case let other?:
            throw PackageError("plugin.package.provider = \(other) is not a provider Chorus has: use apt (or yum for update checks), or leave it unset to detect")
        case nil:
            if AptProvider.isPresent { return .apt }
            if YumTool.isPresent { return .yum }
            throw PackageError("\(action) needs a package manager, and this node has neither dpkg/apt nor yum")
        }
    }

    /// The provider for install, update, uninstall, purge and status.
    private func provider(budget: CommandBudget) throws(PackageError) -> any PackageProvider {
        switch try packageManager(for: "the package actions") {
        case .apt: return AptProvider(budget: budget)
        case .yum: throw PackageError("this node uses yum, and Chorus installs and reports packages through apt only; yum_checkupdates and yum_clean work here")
        }
    }

    private func apt(budget: CommandBudget, for action: String) throws(PackageError) -> AptProvider {
        guard AptProvider.isPresent else {
            throw PackageError("apt is not installed on this node: \(action) needs apt-get (use checkupdates, which picks the node's package manager)")
        }
        return AptProvider(budget: budget)
    }

    private func yum(budget: CommandBudget, for action: String) throws(PackageError) -> YumTool {
        guard YumTool.isPresent else {
            throw PackageError("yum is not installed on this node: \(action) only works on yum-based systems (use checkupdates, which picks the node's package manager)")
        }
        return YumTool(budget: budget)
    }
}
