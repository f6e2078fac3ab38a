import ArgumentParser
import ChorusAgents
import ChorusClient
import ChorusCore
import Foundation
import RubyMarshal

struct ServiceCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "service",
        abstract: "Start, stop, restart or report a system service on every matching node.",
        discussion: """
            Calls the service agent on the matching nodes. Nodes use systemd where it runs and \
            init scripts (/etc/init.d, through `service`) elsewhere; `plugin.service.provider` \
            in a node's configuration overrides the choice. SERVICE and ACTION may come in \
            either order, as with mco.

            Each node answers with the state it observes afterwards: running or stopped. \
            status lists every node; start, restart and stop list the nodes that did not reach \
            the expected state and the nodes that failed (-v lists all). A summary counts the \
            states. Starting a running service, or stopping a stopped one, changes nothing and \
            is reported as a failure, as mco does.

            start, stop and restart without any filter ask for confirmation first (--yes skips it).

            Examples:
              chorus service nginx status
              chorus service nginx restart -F role=web
              chorus service restart nginx -I web1 -I web2 --batch 1
              chorus service cron status --json

            Exit codes: 0 every node answered and succeeded; 1 no nodes discovered, bad \
            arguments, or not confirmed; 2 some nodes failed or did not answer; 3 nodes were \
            discovered but none answered; 4 nodes were named without discovery and none answered.
            """)

    @Argument(help: "The service, e.g. nginx (or the action, when the service comes second).")
    var first: String

    @Argument(help: "The action: start, stop, restart or status (or the service, when the action came first).")
    var second: String

    @Flag(name: [.short, .long], help: "Do not ask before changing services on every node (no filter given).")
    var yes = false

    @OptionGroup var options: ClientOptions

    static let actions = ["start", "stop", "restart", "status"]

    /// (service, action) from the two words in either order, as mco's service application reads them.
    static func serviceAndAction(_ first: String, _ second: String) throws -> (service: String, action: String) {
        if actions.contains(second) { return (first, second) }
        if actions.contains(first) { return (second, first) }
        throw ValidationFailure("the action has to be one of start, stop, restart or status (got '\(first) \(second)')")
    }

    func run() async throws {
        do {
            try await execute()
        } catch {
            throw CommandFailure.report("service", error)
        }
    }

    private func execute() async throws {
        let (service, action) = try Self.serviceAndAction(first, second)
        let ddl = try BuiltinDDL.named("service")!
        var arguments = RubyHash(symbolKeys: ["service": .str(service)])
        try ddl.validateRequest(action: action, arguments: &arguments)
        if let problem = ServiceNameRules.problem(with: service) { throw ValidationFailure("Cannot validate input service: \(problem)") }

        let session = try await ClientSession.open(options)
        defer { Task { await session.client.close() } }
        let filter = try session.filter()
        if action != "status" && filter.isEmpty && options.nodesFile == nil && options.discoveryMethod == nil && !yes {
            guard Self.confirmed(action: action, service: service) else {
                throw ValidationFailure("not confirmed: nothing was sent (add a filter such as -I or -F, or --yes)")
            }
        }
        let call = RPCCall(agent: "service", action: action, arguments: arguments, filter: filter, agentTimeout: ddl.metadata.timeout)
        let output = RPCOutput(session: session, showProgress: !options.noProgress && !options.json)
        let outcome = try await output.run(call, options: try session.rpcOptions())
        await session.client.close()
        if options.json {
            print(JSONResultRenderer.render(outcome.results, pretty: isatty(STDOUT_FILENO) == 1))
        } else if !outcome.discovered.isEmpty {
            print(ServiceRenderer(style: session.style, verbose: options.verbose).render(action: action, outcome: outcome, ddl: ddl), terminator: "")
        }
        throw ExitCode(ServiceExit.code(for: outcome, discoveryRan: output.discoveryRan))
    }

    /// mco's question before acting on every node; true only for y or yes.
    private static func confirmed(action: String, service: String) -> Bool {
        FileHandle.standardError.write(Data("Do you really want to \(action) \(service) on every node, unfiltered? (y/n): ".utf8))
        guard let answer = readLine()?.trimmingCharacters(in: .whitespaces).lowercased() else { return false }
        return answer == "y" || answer == "yes"
    }
}

/// `chorus service`'s exit code: mco's, except that nodes that were asked and did not answer
/// make it 2 even when every answer was a success.
enum ServiceExit {
    static func code(for outcome: RPCOutcome, discoveryRan: Bool) -> Int32 {
        if outcome.discovered.isEmpty { return 1 }
        let code = ExitStatus.code(for: outcome, discoveryRan: discoveryRan)
        if code == 0 && !outcome.noResponse.isEmpty { return 2 }
        return code
    }
}
