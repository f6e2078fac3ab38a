import ChorusAgents
import ChorusConnector
import ChorusCore
import ChorusSecurity
import ChorusServer
import Foundation
import Logging
import NIOCore
import RubyMarshal
import STOMP

/// What every simulated node of one process shares, and how one node is built from it.
///
/// Shared (immutable): the agents (`discovery` and `rpcutil`, the set Debian's `mcollectived`
/// runs in the interop harness), the data plugins, the psk security provider, the connector
/// dialect and the broker pool. Per node: identity, facts, counters, replay window, and its
/// own broker connection. A node is the real `NodeDaemon`, so every request goes through
/// the same pipeline as in `chorus server`: decode, verify, TTL, replay, collective, filter,
/// agent, reply.
public struct SimulatedNodeKit: Sendable {
    public let prefix: String
    public let collective: String
    public let security: any SecurityProvider
    public let connector: any Connector
    public let brokers: STOMPClientConfiguration
    private let agents: [any Agent]
    private let dataPlugins: [HostedDataPlugin]

    public init(prefix: String, psk: String, connector: any Connector, brokers: STOMPClientConfiguration, collective: String = "mcollective") throws {
        self.prefix = prefix
        self.collective = collective
        self.connector = connector
        self.brokers = brokers
        let identity = "\(prefix)-worker"
        security = try PSKSecurityProvider(
            psk: psk, callerID: PSKSecurityProvider.callerID(type: .uid, identity: identity), limits: AdmissionLimits.nodeDecoding)
        agents = [try DiscoveryAgent(), try RPCUtilAgent()]
        dataPlugins = BuiltinDataPlugins.all()
    }

    /// Node `index`, ready to `run()`; it connects when run.
    public func makeNode(index: Int, group: any EventLoopGroup, logger: Logger) -> NodeDaemon {
        let profile = SimulatedNodeProfile(index: index, prefix: prefix)
        let now = Int(time(nil))
        let collective = self.collective
        let node = NodeState(
            identity: profile.identity, mainCollective: collective, collectives: [collective],
            configFile: "(chorus bench)", statistics: ServerStatistics(startTime: now),
            factSource: StaticFactSource(profile.facts), classesFile: ClassesFile(path: nil),
            agents: agents, dataPlugins: dataPlugins,
            configLookup: { key in
                switch key {
                case "identity": return .str(profile.identity)
                case "main_collective", "collectives": return .str(collective)
                default: return nil
                }
            })
        return NodeDaemon(node: node, security: security, connector: connector, brokers: brokers, group: group, logger: logger)
    }
}
