import ChorusConnector
import ChorusSecurity
import STOMP

/// What an RPC client needs to talk to a collective: who it is, where the brokers are,
/// how messages are signed and routed.
public struct ClientSettings: Sendable {
    /// The client's identity (`:senderid`, `mc_sender`, reply queue names).
    public var identity: String
    /// The collective requests go to (`main_collective` unless `-T` says otherwise).
    public var collective: String
    /// Seconds a request stays valid (`ttl`, `--ttl`).
    public var ttl: Int
    public var security: any SecurityProvider
    public var connector: any Connector
    public var brokers: STOMPClientConfiguration
    /// Directed requests up to this many discovered nodes; a broadcast above (`direct_addressing_threshold`).
    public var directAddressingThreshold: Int
    /// Whether directed requests may be used at all (`direct_addressing`).
    public var directAddressing: Bool

    public init(
        identity: String, collective: String, ttl: Int, security: any SecurityProvider, connector: any Connector,
        brokers: STOMPClientConfiguration, directAddressingThreshold: Int = 10, directAddressing: Bool = true
    ) {
        self.identity = identity
        self.collective = collective
        self.ttl = ttl
        self.security = security
        self.connector = connector
        self.brokers = brokers
        self.directAddressingThreshold = directAddressingThreshold
        self.directAddressing = directAddressing
    }
}
