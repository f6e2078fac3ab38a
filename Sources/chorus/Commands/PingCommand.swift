import ArgumentParser
import ChorusClient
import ChorusCore
import Foundation

struct PingCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ping",
        abstract: "Find out which nodes are alive, and how fast they answer.",
        discussion: """
            Broadcasts one discovery ping (filters apply) and prints each node's round-trip time. \
            It does not wait a fixed time: after the latest answer it waits as long again as that \
            answer took (at least 300 ms) for stragglers, and never longer than --timeout (5 s). \
            Exit code 0 when some node answered, 1 when none did.
            """)

    @OptionGroup var options: ClientOptions

    func run() async throws {
        do {
            let session = try await ClientSession.open(options)
            let timeout = options.timeout ?? 5
            let style = session.style
            let json = options.json
            let replies = try await session.client.ping(filter: try session.filter(), timeout: .seconds(timeout)) { reply in
                if !json { print(PingRenderer.line(reply, style: style)) }
            }
            await session.client.close()
            if json {
                print(PingRenderer.json(replies))
            } else {
                print(PingRenderer.statistics(replies, style: style), terminator: "")
            }
            if replies.isEmpty { throw ExitCode(1) }
        } catch {
            throw CommandFailure.report("ping", error)
        }
    }
}

struct FindCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "find",
        abstract: "List the nodes that match the filters.",
        discussion: """
            Examples:
              chorus find -F role=web
              chorus find -C /apache/ -I /^web/
              chorus find -S "role=web and not datacenter=fra"
            Exit code 0 when nodes were found, 1 when none matched.
            """)

    @OptionGroup var options: ClientOptions

    func run() async throws {
        do {
            let session = try await ClientSession.open(options)
            let rpcOptions = try session.rpcOptions()
            let nodes: [String]
            switch rpcOptions.discovery {
            case .nodes(let list): nodes = list
            case .mc:
                nodes = try await session.client.discover(filter: try session.filter(), agent: "rpcutil", timeout: rpcOptions.discoveryTimeout)
            }
            await session.client.close()
            let chosen = NodeSelection.choose(nodes, limit: rpcOptions.limit, seed: rpcOptions.limitSeed).sorted()
            if options.json {
                print("[" + chosen.map { "\"\($0)\"" }.joined(separator: ",") + "]")
            } else {
                for node in chosen { print(node) }
            }
            if chosen.isEmpty { throw ExitCode(1) }
        } catch {
            throw CommandFailure.report("find", error)
        }
    }
}
