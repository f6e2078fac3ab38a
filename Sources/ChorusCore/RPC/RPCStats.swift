/// The figures of one RPC call that the client reports when it finishes (MCollective's
/// rpc/stats.rb): who was discovered, who answered, how it went and how long it took.
public struct RPCStats: Sendable, Hashable {
    /// Nodes the request was meant for, in discovery order; empty when no discovery was done.
    public var discovered: [String]
    /// Nodes that replied, in order of arrival.
    public var responded: [String]
    /// Replies with status 0.
    public var okCount: Int
    /// Replies with any other status.
    public var failCount: Int
    public var requestID: String
    /// When the call started: seconds since the Unix epoch (wall clock).
    public var startTime: Double
    /// Time spent discovering nodes.
    public var discoveryTime: Duration
    /// Time from sending the request to the last reply or the timeout (MCollective's
    /// "block time", printed as "Agent Time" and in "Finished processing … in").
    public var blockTime: Duration
    /// Discovery plus block time plus everything around them.
    public var totalTime: Duration
    /// Nodes that replied although they were not discovered.
    public var unexpectedResponses: [String]

    public init(
        discovered: [String] = [], responded: [String] = [], okCount: Int = 0, failCount: Int = 0,
        requestID: String = "", startTime: Double = 0, discoveryTime: Duration = .zero, blockTime: Duration = .zero,
        totalTime: Duration = .zero, unexpectedResponses: [String] = []
    ) {
        self.discovered = discovered
        self.responded = responded
        self.okCount = okCount
        self.failCount = failCount
        self.requestID = requestID
        self.startTime = startTime
        self.discoveryTime = discoveryTime
        self.blockTime = blockTime
        self.totalTime = totalTime
        self.unexpectedResponses = unexpectedResponses
    }

    /// Discovered nodes that did not reply, in discovery order.
    public var noResponseFrom: [String] {
        let answered = Set(responded)
        return discovered.filter { !answered.contains($0) }
    }
}
