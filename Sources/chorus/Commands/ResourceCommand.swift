import ArgumentParser
import ChorusAgents
import ChorusClient
import ChorusCore
import Foundation
import RubyMarshal

struct ResourceCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "resource",
        abstract: "Compare resources across nodes: where each one exists and how it differs (PE's Browse Resources).",
        discussion: """
            Asks the puppetral agent of every matching node and groups the answers. Types: \
            group, host, package, service, user.

            Examples:
              chorus resource                        every type at a glance
              chorus resource user                   users, their nodes, variants
              chorus resource user --sort variants   the most varied first
              chorus resource host web1 -F role=web  host web1's variants

            A variant is one set of property values; nodes with identical properties share \
            one. With a title, each variant is printed as a Puppet manifest followed by the \
            nodes that have it, and the properties that differ between variants are \
            highlighted (bold on a terminal, '*' in the margin otherwise). Without a type, \
            similarity is the share of resources identical on every node that answered.

            --json prints the grouped structure. Exit codes: 0 every node answered; 1 no \
            nodes discovered (or bad arguments); 2 some nodes failed; 3 nodes were \
            discovered but none answered; 4 nodes were named without discovery and none \
            answered.
            """)

    @Argument(help: "The resource type: group, host, package, service or user (all of them when left out).")
    var type: String?

    @Argument(help: "The resource's title (name): show its variants instead of the list.")
    var title: String?

    @Option(help: "Order of the list: name, nodes (most first) or variants (most first).")
    var sort: SortOption = .name

    @OptionGroup var options: ClientOptions

    enum SortOption: String, ExpressibleByArgument, CaseIterable {
        case name, nodes, variants

        var order: ResourceSortOrder { ResourceSortOrder(rawValue: rawValue)! }
    }

    func run() async throws {
        do {
            try await execute()
        } catch {
            throw CommandFailure.report("resource", error)
        }
    }

    private func execute() async throws {
        if let type, RALResourceType(name: type) == nil {
            throw ValidationFailure("unknown resource type '\(type)': use one of \(RALResourceType.supportedNames.joined(separator: ", "))")
        }
        let session = try await ClientSession.open(options)
        let ddl = try (try? session.ddl(for: "puppetral")) ?? BuiltinDDL.named("puppetral")!
        let renderer = ResourceRenderer(style: session.style)
        let output = RPCOutput(session: session, showProgress: false, announceDiscovery: options.verbose)
        var rpcOptions = try session.rpcOptions()
        let filter = try session.filter()

        func ask(_ action: String, _ arguments: KeyValuePairs<String, RubyValue>) async throws -> RPCOutcome {
            var data = RubyHash(symbolKeys: arguments)
            try ddl.validateRequest(action: action, arguments: &data)
            let call = RPCCall(agent: "puppetral", action: action, arguments: data, filter: filter, agentTimeout: ddl.metadata.timeout)
            return try await output.run(call, options: rpcOptions)
        }
        func answering(_ outcome: RPCOutcome) -> [String] { outcome.results.filter(\.succeeded).map(\.sender) }

        guard let type = type.flatMap(RALResourceType.init(name:)) else {
            // Inspect All: every type, discovering once.
            var rows: [ResourceRenderer.TypeRow] = []
            var outcomes: [RPCOutcome] = []
            for type in RALResourceType.allCases {
                let outcome = try await ask("search", ["type": .str(type.rawValue)])
                if outcomes.isEmpty { rpcOptions.discovery = .nodes(outcome.discovered) }
                outcomes.append(outcome)
                let comparisons = ResourceVariants.compare(type: type.rawValue, searchResults: outcome.results)
                rows.append(.init(type: type.rawValue, resources: comparisons.count, varied: comparisons.filter { $0.variants.count > 1 }.count,
                                  similarity: ResourceVariants.similarity(comparisons, answeringNodes: answering(outcome).count)))
            }
            await session.client.close()
            let results = outcomes.flatMap(\.results)
            let noResponse = Array(Set(outcomes.flatMap(\.noResponse)))
            let nodes = Array(Set(outcomes.flatMap(answering)))
            if options.json {
                print(ResourceRenderer.json(rows: rows, answering: nodes, results: results, noResponse: noResponse).jsonString(pretty: true))
            } else {
                print(renderer.inspectAll(rows, answering: nodes.count) + renderer.problems(results: results, noResponse: noResponse), terminator: "")
            }
            throw ExitCode(outcomes.map { exitCode($0, output) }.max() ?? 0)
        }

        let outcome: RPCOutcome
        if let title {
            outcome = try await ask("find", ["type": .str(type.rawValue), "title": .str(title)])
            await session.client.close()
            let comparison = ResourceVariants.compare(type: type.rawValue, title: title, findResults: outcome.results)
            if options.json {
                print(ResourceRenderer.json(comparison: comparison, results: outcome.results, noResponse: outcome.noResponse).jsonString(pretty: true))
            } else {
                print(renderer.inspect(comparison) + renderer.problems(results: outcome.results, noResponse: outcome.noResponse), terminator: "")
            }
        } else {
            outcome = try await ask("search", ["type": .str(type.rawValue)])
            await session.client.close()
            let summaries = ResourceVariants.summaries(ResourceVariants.compare(type: type.rawValue, searchResults: outcome.results), sortedBy: sort.order)
            if options.json {
                print(ResourceRenderer.json(summaries: summaries, type: type.rawValue, answering: answering(outcome), results: outcome.results,
                                            noResponse: outcome.noResponse).jsonString(pretty: true))
            } else {
                print(renderer.list(type: type.rawValue, summaries: summaries, answering: answering(outcome).count)
                    + renderer.problems(results: outcome.results, noResponse: outcome.noResponse), terminator: "")
            }
        }
        throw ExitCode(exitCode(outcome, output))
    }

    private func exitCode(_ outcome: RPCOutcome, _ output: RPCOutput) -> Int32 {
        outcome.discovered.isEmpty ? 1 : ExitStatus.code(for: outcome, discoveryRan: output.discoveryRan)
    }
}
