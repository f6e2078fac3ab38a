import ChorusConnector

/// What `chorus bench fleet` runs.
public struct FleetOptions: Sendable {
    /// Simulated nodes.
    public var nodes: Int
    /// Worker processes hosting them; nil = one per 10,000 nodes.
    public var workers: Int?
    /// `activemq` or `rabbitmq`.
    public var connector: String = "activemq"
    /// A running broker to use; nil = start `chorus broker`.
    public var broker: BrokerTarget?
    /// Broadcast rounds in the broadcast scenario, and per client in the sustained one.
    public var rounds = 3
    /// Clients sending at once in the sustained scenario.
    public var clients = 4
    /// Nodes addressed directly after discovery.
    public var sample = 100
    /// Longest wait for the replies of one request, and for discovery.
    public var timeout: Duration = .seconds(30)
    /// Longest wait for every node to connect and subscribe.
    public var connectTimeout: Duration = .seconds(300)
    /// The `chorus` executable the broker and workers are started from.
    public var executable: String
    /// Where logs and status files go.
    public var directory: String
    public var psk = "chorus-bench"
    public var prefix = "bench"

    public init(nodes: Int, executable: String, directory: String) {
        self.nodes = nodes
        self.executable = executable
        self.directory = directory
    }

    /// Client connections the bench makes besides the nodes: the broadcast client, the
    /// directed client, and the sustained scenario's other clients.
    public var clientConnections: Int { 2 + max(0, clients - 1) }

    /// The connector dialect.
    public func connectorDialect() throws -> any Connector { try Connectors.named(connector) }
}
