import ArgumentParser
import ChorusClient
import ChorusCore
import Foundation
import RubyMarshal

struct FactsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "facts",
        abstract: "Report the values of a fact across the matching nodes.",
        discussion: """
            Asks every matching node for FACT (rpcutil get_fact) and counts each value. With -v, \
            lists the nodes that have each value.
              chorus facts osfamily
              chorus facts role -F datacenter=ams -v
            """)

    @Argument(help: "The fact to report.")
    var fact: String

    @OptionGroup var options: ClientOptions

    func run() async throws {
        do {
            let session = try await ClientSession.open(options)
            let ddl = try session.ddl(for: "rpcutil")
            var arguments = RubyHash(symbolKeys: ["fact": .str(fact)])
            try ddl.validateRequest(action: "get_fact", arguments: &arguments)
            let call = RPCCall(agent: "rpcutil", action: "get_fact", arguments: arguments, filter: try session.filter(), agentTimeout: ddl.metadata.timeout)
            // facts.rb turns the progress indicator off; discovery is announced only with -v.
            let output = RPCOutput(session: session, showProgress: false, announceDiscovery: options.verbose)
            let outcome = try await output.run(call, options: try session.rpcOptions())
            await session.client.close()
            if options.json {
                print(JSONResultRenderer.render(outcome.results))
            } else {
                print(FactsRenderer.render(fact: fact, outcome: outcome, verbose: options.verbose, style: session.style), terminator: "")
            }
            throw ExitCode(outcome.discovered.isEmpty ? 1 : ExitStatus.code(for: outcome, discoveryRan: output.discoveryRan))
        } catch {
            throw CommandFailure.report("facts", error)
        }
    }
}

struct InventoryCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inventory",
        abstract: "Show everything about one node: statistics, agents, data plugins, classes, facts.",
        discussion: "Asks NODE directly (rpcutil daemon_stats and inventory). Exit code 4 when it does not answer.")

    @Argument(help: "The node's identity.")
    var node: String

    @OptionGroup var options: ClientOptions

    func run() async throws {
        do {
            let session = try await ClientSession.open(options)
            let ddl = try session.ddl(for: "rpcutil")
            var rpcOptions = try session.rpcOptions()
            rpcOptions.discovery = .nodes([node])
            var filter = Filter()
            filter.identities = [node]
            let client = session.client
            func ask(_ action: String) async throws -> RPCResult? {
                let call = RPCCall(agent: "rpcutil", action: action, arguments: RubyHash(), filter: filter, agentTimeout: ddl.metadata.timeout)
                return try await client.call(call, options: rpcOptions).results.first
            }
            let stats = try await ask("daemon_stats")
            let inventory = stats == nil ? nil : try await ask("inventory")
            await client.close()
            guard let stats, let inventory else {
                FileHandle.standardError.write(Data("Did not receive a response from \(node)\n".utf8))
                throw ExitCode(4)
            }
            if options.json {
                print(JSONResultRenderer.render([stats, inventory]))
            } else {
                print(InventoryRenderer.render(identity: node, daemonStats: stats, inventory: inventory, style: session.style), terminator: "")
            }
        } catch {
            throw CommandFailure.report("inventory", error)
        }
    }
}
