import ChorusClient
import ChorusConnector
import ChorusSecurity
import Logging
import NIOCore
import STOMP

/// Connects the bench's RPC clients: the real `RPCClient` of `chorus rpc` and `chorus ping`,
/// one broker connection each, signing with the fleet's pre-shared key.
public struct FleetClients: Sendable {
    public let target: BrokerTarget
    public let connector: any Connector
    public let psk: String
    public let collective: String
    public let group: any EventLoopGroup
    public let logger: Logger

    public init(target: BrokerTarget, connector: any Connector, psk: String, collective: String = "mcollective", group: any EventLoopGroup, logger: Logger) {
        self.target = target
        self.connector = connector
        self.psk = psk
        self.collective = collective
        self.group = group
        self.logger = logger
    }

    /// A connected client named `identity` (each client in one process needs its own name: the
    /// activemq dialect's reply queues are named after it). `directed`: requests to known nodes
    /// are addressed to each node; otherwise every request is one broadcast.
    public func connect(identity: String, directed: Bool) async throws -> RPCClient {
        let settings = ClientSettings(
            identity: identity, collective: collective, ttl: 60,
            security: try PSKSecurityProvider(psk: psk, callerID: PSKSecurityProvider.callerID(type: .uid, identity: identity)),
            connector: connector,
            brokers: STOMPClientConfiguration(
                endpoints: [target.endpoint], virtualHost: target.virtualHost, reconnects: false, connectTimeout: 10),
            directAddressingThreshold: 10, directAddressing: directed)
        let client = RPCClient(settings: settings, group: group, logger: logger)
        try await client.connect()
        return client
    }
}
