import ArgumentParser
import ChorusClient
import ChorusCore
import Foundation
import RubyMarshal

struct RPCCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rpc",
        abstract: "Call an action of an agent on every matching node.",
        discussion: """
            Inputs are key=value pairs checked against the agent's DDL before anything is sent. \
            Nodes are discovered with the filters (or named with -I / --nodes), then addressed \
            directly (up to direct_addressing_threshold nodes) or with one broadcast.

            Examples:
              chorus rpc rpcutil ping
              chorus rpc rpcutil get_fact fact=osfamily -F role=web
              chorus rpc rpcutil inventory -I node1 --json
              chorus rpc rpcutil ping --batch 2 --batch-sleep 0.5

            Exit codes: 0 all good; 1 no nodes discovered (or bad arguments); 2 some nodes \
            answered with a failure; 3 nodes were discovered but none answered; 4 nodes were \
            named without discovery and none answered.
            """)

    @Argument(help: "The agent, e.g. rpcutil.")
    var agent: String

    @Argument(help: "The action, e.g. get_fact.")
    var action: String

    @Argument(help: "Inputs as key=value.")
    var inputs: [String] = []

    @Option(help: "Which replies to show: ok, failed or all (default: the action's DDL display policy).")
    var display: DisplayOption?

    @Flag(name: [.customLong("no-results"), .customLong("nr")], help: "Send the request and do not wait for replies (fire and forget).")
    var noResults = false

    @OptionGroup var options: ClientOptions

    func run() async throws {
        do {
            try await execute()
        } catch {
            throw CommandFailure.report("rpc", error)
        }
    }

    private func execute() async throws {
        let session = try await ClientSession.open(options)
        defer { Task { await session.client.close() } }
        let ddl = try session.ddl(for: agent)
        guard let actionDDL = ddl.action(named: action) else {
            throw ValidationFailure("Attempted to call action \(action) for \(agent) but it's not declared in the DDL")
        }
        var arguments = try actionDDL.parseArguments(inputs)
        try ddl.validateRequest(action: action, arguments: &arguments)
        let call = RPCCall(agent: agent, action: action, arguments: arguments, filter: try session.filter(), agentTimeout: ddl.metadata.timeout)

        if noResults {
            let id = try await session.client.fireAndForget(call)
            print("Request sent with id: \(id)")
            await session.client.close()
            return
        }
        let rpcOptions = try session.rpcOptions()
        let output = RPCOutput(session: session, showProgress: !options.noProgress && !options.json)
        let outcome = try await output.run(call, options: rpcOptions)
        await session.client.close()
        let renderer = RPCResultRenderer(style: session.style, ddl: ddl, action: actionDDL, verbose: options.verbose, display: display?.policy)
        if options.json {
            // rpc/helpers.rb: pretty on a terminal, one line otherwise.
            print(JSONResultRenderer.render(outcome.results, pretty: isatty(STDOUT_FILENO) == 1))
        } else if outcome.discovered.isEmpty {
            // Nothing was asked, so mco prints the empty replies block and no statistics.
            print(renderer.results([]), terminator: "")
        } else {
            print(renderer.render(outcome: outcome), terminator: "")
        }
        throw ExitCode(outcome.discovered.isEmpty ? 1 : ExitStatus.code(for: outcome, discoveryRan: output.discoveryRan))
    }
}

/// `--display ok|failed|all`, as mco spells it.
enum DisplayOption: String, ExpressibleByArgument, CaseIterable {
    case ok, failed, all

    var policy: DisplayPolicy {
        switch self {
        case .ok: return .ok
        case .failed: return .failed
        case .all: return .always
        }
    }
}
