import ArgumentParser

/// `chorus bench`: load generators that measure Chorus against its peers. `chorus bench`
/// alone runs `chorus bench fleet`.
struct BenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Measure brokers and fleets under load.",
        discussion: """
            chorus bench fleet (the default): a broker and N simulated nodes, each with its own \
            broker connection and the real node pipeline; broadcast, discovery, filtered and \
            concurrent requests through the real client. chorus bench broker: one STOMP load \
            generator against chorus broker, RabbitMQ and ActiveMQ. chorus bench startup: real node \
            daemons (chorus server, mcollectived) started one by one, start-to-subscribed time and \
            memory of each.
            """,
        subcommands: [BenchFleetCommand.self, BenchBrokerCommand.self, BenchStartupCommand.self, BenchFleetWorkerCommand.self],
        defaultSubcommand: BenchFleetCommand.self)
}
