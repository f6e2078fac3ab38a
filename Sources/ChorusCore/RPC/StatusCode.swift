/// SimpleRPC reply status codes (MCollective rpc/agent.rb).
public enum StatusCode: Int, Sendable, Hashable, CaseIterable {
    /// The action ran and succeeded.
    case ok = 0
    /// The action failed (`reply.fail`, an ActionPolicy denial): "Request Aborted".
    case aborted = 1
    /// The agent has no such action.
    case unknownAction = 2
    /// The agent's own validation found required data missing.
    case missingData = 3
    /// The inputs failed validation (including every DDL validation error).
    case invalidData = 4
    /// Any other error while running the action.
    case unknownError = 5

    /// The word MCollective's client prints for a failed reply.
    public var displayWord: String {
        switch self {
        case .ok: return "OK"
        case .aborted: return "Request Aborted"
        case .unknownAction: return "Unknown Action"
        case .missingData: return "Missing Request Data"
        case .invalidData: return "Invalid Request Data"
        case .unknownError: return "Unknown Request Status"
        }
    }
}
