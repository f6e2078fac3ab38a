import ChorusServer
import Foundation

/// Services as Puppet's `debian` provider (init scripts, `service NAME status`, `invoke-rc.d`
/// and rc links) or `systemd` provider (`systemctl`) reports them: `ensure` (`running` or
/// `stopped`) and `enable` (`true` or `false`, as strings, the way Puppet shows them).
public struct RALServiceReader: RALResourceReader {
    public var settings: RALSettings
    public var provider: RALServiceProviderKind

    public init(settings: RALSettings) {
        self.settings = settings
        provider = settings.serviceProvider ?? Self.detectProvider()
    }

    /// `systemd` when PID 1 is systemd (what Puppet checks in `/proc/1/comm`), else `debian`.
    public static func detectProvider() -> RALServiceProviderKind {
        provider(pid1Command: RALFiles.optionalText("/proc/1/comm"))
    }

    /// The provider for PID 1's command name (nil when unreadable).
    public static func provider(pid1Command comm: String?) -> RALServiceProviderKind {
        (comm ?? "").contains("systemd") ? .systemd : .debian
    }

    public func all() async throws(RALError) -> [RALResource] {
        var resources: [RALResource] = []
        for name in try await names() {
            resources.append(try await service(name))
        }
        return resources
    }

    public func find(_ title: String) async throws(RALError) -> RALResource {
        if let problem = RALServiceRules.problem(withTitle: title) { throw .invalidTitle("Cannot validate input title: \(problem)") }
        return try await service(title)
    }

    /// The services this provider lists.
    func names() async throws(RALError) -> [String] {
        switch provider {
        case .debian:
            return RALServiceRules.initServices(initScriptEntries())
        case .systemd:
            let result = try await run("systemctl", ["list-unit-files", "--type", "service", "--full", "--all", "--no-pager"])
            guard result.succeeded else { return [] }
            return RALServiceRules.systemdServices(result.standardOutput)
        }
    }

    func service(_ name: String) async throws(RALError) -> RALResource {
        let running: String
        let enabled: Bool
        switch provider {
        case .debian:
            running = RALServiceRules.ensure(statusExit: try await run("/usr/sbin/service", [name, "status"]).exitStatus)
            enabled = try await debianEnabled(name)
        case .systemd:
            running = RALServiceRules.ensure(statusExit: try await run("systemctl", ["is-active", "--", name]).exitStatus)
            let answer = try await run("systemctl", ["is-enabled", "--", name])
            let fallback = answer.standardOutput.isEmpty && (answer.exitStatus ?? 0) > 0 ? try await debianEnabled(systemdLinkName(name)) : false
            enabled = RALServiceRules.systemdEnabled(isEnabledOutput: answer.standardOutput, exit: answer.exitStatus) { fallback }
        }
        return RALResource(type: .service, title: name, parameters: [RALParameter("ensure", .str(running)), RALParameter("enable", .str(enabled ? "true" : "false"))])
    }

    /// `invoke-rc.d --quiet --query NAME start`, then the rc links when policy forbids asking.
    func debianEnabled(_ name: String) async throws(RALError) -> Bool {
        let query = try await run("/usr/sbin/invoke-rc.d", ["--quiet", "--query", name, "start"])
        return RALServiceRules.debianEnabled(invokeRcExit: query.exitStatus, startLinks: RALServiceRules.startLinkCount(name, listings: rcListings()))
    }

    /// Start links of a systemd unit are named without `.service`.
    func systemdLinkName(_ name: String) -> String {
        name.contains(".service") ? String(name.split(separator: ".", omittingEmptySubsequences: false)[0]) : name
    }

    func initScriptEntries() -> [RALServiceRules.ScriptEntry] {
        let directory = settings.initScriptDirectory
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        return names.map { name in
            let path = "\(directory)/\(name)"
            var isDirectory: ObjCBool = false
            _ = FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory)
            return RALServiceRules.ScriptEntry(
                name: name, isDirectory: isDirectory.boolValue, isExecutable: access(path, X_OK) == 0,
                linkTarget: try? FileManager.default.destinationOfSymbolicLink(atPath: path))
        }
    }

    /// The entries of each `rc*.d` directory.
    func rcListings() -> [String: [String]] {
        let parent = settings.rcDirectoryParent
        let directories = ((try? FileManager.default.contentsOfDirectory(atPath: parent)) ?? []).filter { $0.hasPrefix("rc") && $0.hasSuffix(".d") }
        var listings: [String: [String]] = [:]
        for directory in directories {
            listings[directory] = (try? FileManager.default.contentsOfDirectory(atPath: "\(parent)/\(directory)")) ?? []
        }
        return listings
    }

    func run(_ program: String, _ arguments: [String]) async throws(RALError) -> SystemCommandResult {
        do {
            return try await SystemCommand(program, arguments, timeout: settings.commandTimeout, outputLimit: 1 << 20).run()
        } catch {
            throw .commandFailed("cannot read services with the \(provider.rawValue) provider: \(error)")
        }
    }
}
