import ChorusCore
import ChorusSecurity
import RubyMarshal

/// The first half of the node's request pipeline (MCollective runner.rb + message.rb):
/// refuse oversized bodies, decode and verify, check the caller id, the TTL, replays and
/// the filter's size (`AdmissionLimits`), the collective, and the filter; then find the
/// agent. Pure apart from the counters it bumps and the replay window it keeps, so every
/// rejection path is testable without a broker.
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
        /// Refused by the node's limits or replay protection (counted as unvalidated).
        case refused(AdmissionRefusal)
        /// Accepted: run the agent.
        case accepted(Request, any Agent)
    }

    public let security: any SecurityProvider
    public let statistics: ServerStatistics
    public let collectives: [String]
    /// Size and filter bounds, and whether replays are refused.
    public let limits: AdmissionLimits
    /// The request ids seen within their TTL; nil when replay protection is off.
    public let replays: ReplayCache?

    public init(security: any SecurityProvider, statistics: ServerStatistics, collectives: [String], limits: AdmissionLimits = .default) {
        self.security = security
        self.statistics = statistics
        self.collectives = collectives
        self.limits = limits
        self.replays = limits.replayProtection ? ReplayCache(capacity: limits.replayCacheSize) : nil
    }

    public func admit(_ bytes: [UInt8], now: Int, node: NodeState) -> Decision {
        statistics.total.wrappingAdd(1, ordering: .relaxed)
        guard bytes.count <= limits.maxMessageBytes else {
            statistics.unvalidated.wrappingAdd(1, ordering: .relaxed)
            return .refused(.messageTooLarge(bytes: bytes.count, limit: limits.maxMessageBytes))
        }
        let request: Request
        do {
            request = try security.decodeRequest(bytes)
        } catch {
            statistics.unvalidated.wrappingAdd(1, ordering: .relaxed)
            return .rejected(error)
        }
        let age = RequestFreshness.age(messageTime: request.messageTime, now: now)
        guard RequestFreshness.isFresh(age: age, ttl: request.ttl) else {
            statistics.validated.wrappingAdd(1, ordering: .relaxed)
            statistics.ttlExpired.wrappingAdd(1, ordering: .relaxed)
            return .expired(request, age: age)
        }
        if let refusal = refusal(of: request, now: now) {
            statistics.unvalidated.wrappingAdd(1, ordering: .relaxed)
            if case .replayed = refusal { statistics.replayed.wrappingAdd(1, ordering: .relaxed) }
            return .refused(refusal)
        }
        statistics.validated.wrappingAdd(1, ordering: .relaxed)
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
        guard filter.matches(AdmissionSubject(node: node)) else {
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

    /// Replay protection and the filter bounds, for a request that passed the TTL check.
    private func refusal(of request: Request, now: Int) -> AdmissionRefusal? {
        if let replays {
            switch replays.record(request.requestID, messageTime: request.messageTime, ttl: request.ttl, now: now) {
            case .fresh: break
            case .replayed: return .replayed(request)
            case .full: return .replayWindowFull(request, capacity: limits.replayCacheSize)
            }
        }
        do {
            try limits.filter.check(request.filter)
        } catch {
            return .filterTooLarge(request, reason: "\(error)")
        }
        return nil
    }
}
