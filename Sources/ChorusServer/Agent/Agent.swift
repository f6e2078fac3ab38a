import ChorusCore
import RubyMarshal

/// An agent plugin: a named bundle of actions described by a DDL (MCollective's agent plugin type).
///
/// Most agents are SimpleRPC agents and conform to `RPCAgent`, which supplies `handle` with
/// MCollective's request handling (DDL validation, status codes, defaults). An agent that
/// speaks a different body format (such as `discovery`) implements `handle` itself.
public protocol Agent: Sendable {
    /// The agent's name as clients address it (defaults to the DDL's `metadata.name`).
    var name: String { get }
    /// The agent's DDL: metadata (name, timeout, …), actions, inputs and outputs.
    var ddl: AgentDDL { get }
    /// Handles one accepted request and returns the reply body, or nil to send no reply.
    func handle(_ request: Request, node: any NodeContext) async -> RubyValue?
    /// Whether the agent should load on this node (MCollective's `activate_when`).
    func activate(on node: any NodeContext) -> Bool
}

extension Agent {
    public var name: String { ddl.metadata.name }
    public func activate(on node: any NodeContext) -> Bool { true }
}

/// What an action receives: the validated inputs and who asked.
public struct ActionRequest: Sendable {
    public var agent: String
    public var action: String
    /// Inputs after DDL validation, Symbol-keyed, defaults applied.
    public var arguments: RubyHash
    public var callerID: String
    public var senderID: String
    public var requestID: String
    public var collective: String

    public init(agent: String, action: String, arguments: RubyHash, callerID: String, senderID: String, requestID: String, collective: String) {
        self.agent = agent
        self.action = action
        self.arguments = arguments
        self.callerID = callerID
        self.senderID = senderID
        self.requestID = requestID
        self.collective = collective
    }

    /// An input by name (Symbol or String key).
    public subscript(_ name: String) -> RubyValue? { arguments[name] }
}

/// The reply an action builds: `data` starts with every DDL output set to its default.
public struct ActionReply: Sendable {
    public var statusCode: StatusCode = .ok
    public var statusMessage: String = "OK"
    public var data: RubyHash

    public init(data: RubyHash) { self.data = data }

    /// Sets an output value.
    public subscript(_ name: String) -> RubyValue? {
        get { data[name] }
        set { data.set(newValue ?? .nil, forSymbol: name) }
    }

    /// Marks the reply failed (`reply.fail`): status 1 "Request Aborted" unless another status is given.
    public mutating func fail(_ message: String, status: StatusCode = .aborted) {
        statusCode = status
        statusMessage = message
    }

    public var body: RPCReplyBody {
        RPCReplyBody(statusCode: statusCode.rawValue, statusMessage: statusMessage, data: data)
    }
}

/// Errors an action may throw; each becomes a reply status (rpc/agent.rb).
public enum RPCError: Error, Sendable, Equatable {
    case aborted(String)
    case unknownAction(String)
    case missingData(String)
    case invalidData(String)

    public var status: StatusCode {
        switch self {
        case .aborted: return .aborted
        case .unknownAction: return .unknownAction
        case .missingData: return .missingData
        case .invalidData: return .invalidData
        }
    }

    public var message: String {
        switch self {
        case .aborted(let m), .unknownAction(let m), .missingData(let m), .invalidData(let m): return m
        }
    }
}
