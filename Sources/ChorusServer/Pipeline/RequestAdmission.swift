import ChorusCore
import ChorusSecurity
import RubyMarshal

/// The first half of the node's request pipeline (MCollective runner.rb + message.rb):
/// decode and verify, check the caller id, the collective, the TTL, and the filter; then
/// find the agent. Pure apart from the counters it bumps, so every rejection path is
/// testable without a broker.
public struct RequestAdmission: Sendable {
    /// What became of one received message.
    public enum Decision: Sendable {
        /// The security provider rejected it (garbage, bad hash, bad caller id).
        case rejected(SecurityError)
        /// Older than its TTL (or dated further in the future than the TTL allows).
        case expired(Request, age: Int)
        /// Addressed to a collective this node is not in.
        case wrongCollective(Request)
        /// The filter did not match this node.
        case notTargeted(Request)
        /// The filter in the envelope could not be read.
        case badFilter(Request, String)
        /// No such agent on this node.
        case unknownAgent(Request)
        /// Accepted: run the agent.
        case accepted(Request, any Agent)
    }

    public let security: any SecurityProvider
    public let statistics: ServerStatistics
    public let collectives: [String]

    public init(security: any SecurityProvider, statistics: ServerStatistics, collectives: [String]) {
        self.security = security
        self.statistics = statistics
        self.collectives = collectives
    }

    public func admit(_ bytes: [UInt8], now: Int, node: NodeState) -> Decision {
        statistics.total.wrappingAdd(1, ordering: .relaxed)
        let request: Request
        do {
            request = try security.decodeRequest(bytes)
        } catch {
            statistics.unvalidated.wrappingAdd(1, ordering: .relaxed)
            return .rejected(error)
        }
        statistics.validated.wrappingAdd(1, ordering: .relaxed)

        let age = now - request.messageTime
        if age > request.ttl || -age > request.ttl {
            statistics.ttlExpired.wrappingAdd(1, ordering: .relaxed)
            return .expired(request, age: age)
        }
        guard collectives.contains(request.collective) else {
            statistics.filtered.wrappingAdd(1, ordering: .relaxed)
            return .wrongCollective(request)
        }
        let filter: Filter
        do {
            filter = try Filter(rubyValue: request.filter)
        } catch {
            statistics.filtered.wrappingAdd(1, ordering: .relaxed)
            return .badFilter(request, "\(error)")
        }
        guard filter.matches(node.filterSubject()) else {
            statistics.filtered.wrappingAdd(1, ordering: .relaxed)
            return .notTargeted(request)
        }
        statistics.passed.wrappingAdd(1, ordering: .relaxed)
        guard let agent = node.agent(named: request.agent) else {
            statistics.unknownAgent.wrappingAdd(1, ordering: .relaxed)
            return .unknownAgent(request)
        }
        return .accepted(request, agent)
    }
}
