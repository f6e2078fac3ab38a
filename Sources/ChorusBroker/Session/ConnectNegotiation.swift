import Foundation
import STOMP

/// The outcome of a CONNECT/STOMP frame: protocol version and heart-beat intervals, or why the
/// connection is refused. Pure: the connection handler carries it out.
public struct ConnectNegotiation: Sendable, Equatable {
    /// The version both sides speak (highest in common; no `accept-version` = 1.0).
    public let version: STOMPVersion
    /// How often the broker sends heart-beats, ms (0 = never).
    public let sendInterval: Int
    /// How often the client promised heart-beats, ms (0 = never); silence for twice this closes it.
    public let receiveInterval: Int

    /// The CONNECTED frame's `heart-beat` value: the agreed intervals, as ActiveMQ answers
    /// (`30500,29500` from MCollective gets `29500,30500`).
    public var heartBeatHeader: String { "\(sendInterval),\(receiveInterval)" }

    /// Why a CONNECT is refused.
    public enum Refusal: Error, Sendable, Equatable {
        case unsupportedVersion(String)
        case malformedHeartBeat(String)
        case authenticationFailed(login: String?)

        /// A short text for the ERROR frame's `message` header.
        public var message: String {
            switch self {
            case .unsupportedVersion: "Supported protocol versions are 1.0,1.1,1.2"
            case .malformedHeartBeat: "Invalid heart-beat header"
            case .authenticationFailed: "Authentication failed"
            }
        }

        /// A sentence for the ERROR frame's body.
        public var detail: String {
            switch self {
            case .unsupportedVersion(let offered):
                "The client accepts versions '\(offered)' but this broker speaks STOMP 1.0, 1.1 and 1.2."
            case .malformedHeartBeat(let value):
                "The heart-beat header '\(value)' is not two non-negative integers 'cx,cy'."
            case .authenticationFailed(let login):
                "The login '\(login ?? "")' and passcode given are not accepted by this broker."
            }
        }
    }

    public init(version: STOMPVersion, sendInterval: Int, receiveInterval: Int) {
        self.version = version
        self.sendInterval = sendInterval
        self.receiveInterval = receiveInterval
    }

    /// Negotiates a CONNECT's headers against the broker's configuration.
    public static func negotiate(
        _ headers: STOMPHeaders, configuration: BrokerConfiguration
    ) -> Result<ConnectNegotiation, Refusal> {
        let version: STOMPVersion
        if let offered = headers["accept-version"] {
            let accepted = offered.split(separator: ",").compactMap {
                STOMPVersion(rawValue: $0.trimmingCharacters(in: .whitespaces))
            }
            guard let best = accepted.max() else { return .failure(.unsupportedVersion(offered)) }
            version = best
        } else {
            version = .v1_0
        }
        guard configuration.authenticates(login: headers["login"], passcode: headers["passcode"]) else {
            return .failure(.authenticationFailed(login: headers["login"]))
        }
        guard version != .v1_0, let heartBeat = headers["heart-beat"] else {
            return .success(ConnectNegotiation(version: version, sendInterval: 0, receiveInterval: 0))
        }
        let parts = heartBeat.split(separator: ",", omittingEmptySubsequences: false)
        guard parts.count == 2,
            let clientSends = Int(parts[0].trimmingCharacters(in: .whitespaces)),
            let clientWants = Int(parts[1].trimmingCharacters(in: .whitespaces)),
            clientSends >= 0, clientWants >= 0
        else {
            return .failure(.malformedHeartBeat(heartBeat))
        }
        let brokerSends = configuration.heartbeatSendMilliseconds
        let brokerWants = configuration.heartbeatReceiveMilliseconds
        let send = brokerSends == 0 || clientWants == 0 ? 0 : max(brokerSends, clientWants)
        let receive = clientSends == 0 || brokerWants == 0 ? 0 : max(clientSends, brokerWants)
        return .success(ConnectNegotiation(version: version, sendInterval: send, receiveInterval: receive))
    }
}
