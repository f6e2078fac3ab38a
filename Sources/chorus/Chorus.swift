import ArgumentParser
import ChorusServer

@main
struct Chorus: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "chorus",
        abstract: "Parallel remote procedure calls across a fleet of servers (MCollective 2.12 compatible).",
        discussion: """
            Nodes run `chorus server`; clients pick nodes with filters and send one request to all of \
            them at once through a STOMP broker (`chorus broker`, RabbitMQ or ActiveMQ).

            Try `chorus demo` for a guided tour on this machine.
            """,
        version: ChorusVersion.string,
        subcommands: [
            DemoCommand.self, BrokerCommand.self, ServerCommand.self, PingCommand.self, RPCCommand.self,
            FindCommand.self, FactsCommand.self, InventoryCommand.self, PluginCommand.self, ServiceCommand.self,
            PackageCommand.self, PuppetCommand.self, ResourceCommand.self, BenchCommand.self,
        ])
}
