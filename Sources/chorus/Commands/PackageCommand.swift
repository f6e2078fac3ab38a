import ArgumentParser
import ChorusAgents
import ChorusClient
import ChorusCore
import Foundation
import RubyMarshal

struct PackageCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "package",
        abstract: "Install, update, remove or report a package on every matching node.",
        discussion: """
            Calls the package agent on the matching nodes (dpkg/apt; the yum actions work where \
            yum is installed). PACKAGE and ACTION may come in either order, as with mco; the \
            update checks and cache actions take no package.

            Package actions: status, install, update, uninstall (keeps configuration files), \
            purge (removes them too). Each node answers with the package's state afterwards: \
            its version and architecture, or absent / purged. A summary counts the versions. \
            As with mco, installing an installed package, or updating or removing one that is \
            not there, is reported as a failure.

            Node-wide actions: checkupdates (the node's package manager), apt_checkupdates, \
            yum_checkupdates list the packages an upgrade would change (-v adds versions and \
            repositories); apt_update refreshes apt's lists; yum_clean cleans yum's caches.

            install, update, uninstall, purge, apt_update and yum_clean without any filter \
            ask for confirmation first on a terminal; elsewhere they need --yes.

            Examples:
              chorus package nginx status
              chorus package install nginx -F role=web
              chorus package nginx install --version 1.22.1-9 -I web1
              chorus package openssl update -C /web/ --batch 5
              chorus package checkupdates -v
              chorus package apt_update --yes --json

            Exit codes: 0 every node answered and succeeded; 1 no nodes discovered, bad \
            arguments, or not confirmed; 2 some nodes failed; 3 nodes were discovered but none \
            answered; 4 nodes were named without discovery and none answered.
            """)

    @Argument(help: "PACKAGE ACTION, ACTION PACKAGE, or a node-wide ACTION alone.")
    var words: [String] = []

    @Flag(name: [.short, .long], help: "Do not ask before changing packages on every node (no filter given).")
    var yes = false

    @Option(name: .customLong("version"), help: ArgumentHelp("The exact version to install (install only).", valueName: "version"))
    var packageVersion: String?

    @Option(name: .customLong("mode"), help: ArgumentHelp("What yum_clean cleans: all, headers, packages, metadata, dbcache, plugins, expire-cache.", valueName: "mode"))
    var cleanMode: String?

    @OptionGroup var options: ClientOptions

    static let packageActions = ["install", "update", "uninstall", "purge", "status"]
    static let nodeActions = ["checkupdates", "apt_checkupdates", "yum_checkupdates", "apt_update", "yum_clean"]
    /// Actions that change nodes, so they are confirmed when no filter narrows them.
    static let changing: Set<String> = ["install", "update", "uninstall", "purge", "apt_update", "yum_clean"]

    /// (action, package) from the words, as mco's package application reads them.
    static func request(from words: [String]) throws -> (action: String, package: String?) {
        switch words.count {
        case 1 where nodeActions.contains(words[0]):
            return (words[0], nil)
        case 2 where packageActions.contains(words[1]):
            return (words[1], words[0])
        case 2 where packageActions.contains(words[0]):
            return (words[0], words[1])
        case 0:
            throw ValidationFailure("Please specify package name and action (e.g. `chorus package nginx status`), or a node-wide action")
        default:
            throw ValidationFailure("Action has to be one of \((packageActions + nodeActions).joined(separator: ", ")); got '\(words.joined(separator: " "))'"
                + (words.count == 2 && nodeActions.contains(words[0]) ? " (\(words[0]) takes no package)" : ""))
        }
    }

    func run() async throws {
        do {
            try await execute()
        } catch {
            throw CommandFailure.report("package", error)
        }
    }

    private func execute() async throws {
        let (action, package) = try Self.request(from: words)
        let ddl = try BuiltinDDL.named("package")!
        var arguments = RubyHash()
        if let package { arguments.set(.str(package), forSymbol: "package") }
        if let packageVersion {
            guard action == "install" else { throw ValidationFailure("--version goes with install only") }
            arguments.set(.str(packageVersion), forSymbol: "version")
        }
        if let cleanMode {
            guard action == "yum_clean" else { throw ValidationFailure("--mode goes with yum_clean only") }
            arguments.set(.str(cleanMode), forSymbol: "mode")
        }
        try ddl.validateRequest(action: action, arguments: &arguments)
        if let package, let problem = PackageName.problem(with: package) {
            throw ValidationFailure("Cannot validate input package: \(problem)")
        }

        let session = try await ClientSession.open(options)
        defer { Task { await session.client.close() } }
        let filter = try session.filter()
        if Self.changing.contains(action) && filter.isEmpty && options.nodesFile == nil && options.discoveryMethod == nil && !yes {
            try Self.confirm()
        }
        let call = RPCCall(agent: "package", action: action, arguments: arguments, filter: filter, agentTimeout: ddl.metadata.timeout)
        let output = RPCOutput(session: session, showProgress: !options.noProgress && !options.json)
        let outcome = try await output.run(call, options: try session.rpcOptions())
        await session.client.close()
        if options.json {
            print(JSONResultRenderer.render(outcome.results, pretty: isatty(STDOUT_FILENO) == 1))
        } else if !outcome.discovered.isEmpty {
            print(PackageRenderer(style: session.style, verbose: options.verbose).render(action: action, outcome: outcome, ddl: ddl), terminator: "")
        }
        throw ExitCode(outcome.discovered.isEmpty ? 1 : ExitStatus.code(for: outcome, discoveryRan: output.discoveryRan))
    }

    /// mco's question before changing packages everywhere: asked on a terminal, refused elsewhere.
    private static func confirm() throws {
        guard isatty(STDIN_FILENO) == 1 else {
            throw ValidationFailure("refusing to operate on packages unfiltered without --yes: nothing was sent (add a filter such as -I or -F, or --yes)")
        }
        FileHandle.standardError.write(Data("Do you really want to operate on packages unfiltered? (y/n): ".utf8))
        let answer = readLine()?.trimmingCharacters(in: .whitespaces).lowercased()
        guard answer == "y" || answer == "yes" else {
            throw ValidationFailure("not confirmed: nothing was sent")
        }
    }
}
