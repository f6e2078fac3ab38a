import ChorusCore
import RubyMarshal

/// One SimpleRPC call a client wants made.
public struct RPCCall: Sendable {
    public var agent: String
    public var action: String
    /// Inputs, Symbol-keyed, already validated against the DDL.
    public var arguments: RubyHash
    public var filter: Filter
    /// The agent's DDL timeout in seconds (how long an action may run on a node).
    public var agentTimeout: Int

    public init(agent: String, action: String, arguments: RubyHash, filter: Filter, agentTimeout: Int) {
        self.agent = agent
        self.action = action
        self.arguments = arguments
        self.filter = filter
        self.agentTimeout = agentTimeout
    }
}

/// How nodes are found before a request is sent.
public enum DiscoveryMethod: Sendable, Equatable {
    /// Broadcast a `discovery` ping with the filter and collect who answers (MCollective's `mc`).
    case mc
    /// A given list of identities (`--nodes FILE`, `--dm flatfile`, `--dm stdin`).
    case nodes([String])
}

/// Options that shape an RPC call, named after mco's.
public struct RPCOptions: Sendable {
    public var discovery: DiscoveryMethod = .mc
    /// Upper bound for `mc` discovery (`--dt`, default 2 s).
    public var discoveryTimeout: Duration = .seconds(2)
    /// How long to wait for replies (`-t`); default: agent timeout + discovery timeout.
    public var timeout: Duration?
    /// Send to this many nodes at a time (`--batch`), sleeping `batchSleep` between batches.
    public var batchSize: Int?
    public var batchSleep: Duration = .seconds(1)
    public var limit: NodeLimit?
    public var limitSeed: UInt64?
    /// False for `--no-results`: one broadcast, no discovery, no replies.
    public var processResults = true

    public init() {}
}

/// What happened to a call: who was asked, who answered, what they said, how long it took.
public struct RPCOutcome: Sendable {
    public var requestID: String
    /// The nodes the request was addressed to (after limits).
    public var discovered: [String]
    /// Replies in arrival order.
    public var results: [RPCResult]
    /// Replies from nodes that were not discovered (they still count as answers).
    public var unexpected: [String]
    /// Wall-clock seconds since the epoch when the call started.
    public var startTime: Double
    public var discoveryTime: Duration
    /// From the first request sent to the last reply (or the timeout).
    public var blockTime: Duration
    public var totalTime: Duration

    /// Discovered nodes that did not answer.
    public var noResponse: [String] {
        let answered = Set(results.map(\.sender))
        return discovered.filter { !answered.contains($0) }
    }
}

/// One node's answer to `chorus ping`.
public struct PingReply: Sendable, Equatable {
    public var sender: String
    /// Milliseconds from sending the ping to receiving this answer.
    public var milliseconds: Double
}
