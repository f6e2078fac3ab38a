import ChorusCore

/// Why the node's own checks (beyond MCollective's) refused a message. Every refusal is
/// counted as `unvalidated` in `daemon_stats`; replays also as `replayed`.
public enum AdmissionRefusal: Sendable {
    /// The body is larger than `plugin.chorus.max_message_size`; not decoded at all.
    case messageTooLarge(bytes: Int, limit: Int)
    /// The request id was admitted before and its TTL has not run out.
    case replayed(Request)
    /// The replay window holds `capacity` live ids and cannot remember this one (fails closed).
    case replayWindowFull(Request, capacity: Int)
    /// The filter exceeds `FilterLimits`; not read.
    case filterTooLarge(Request, reason: String)

    /// The log line: what was refused, from whom, and why. `sender` is the STOMP `mc_sender`
    /// header, for messages refused before they were decoded.
    public func logMessage(sender: String?) -> String {
        switch self {
        case .messageTooLarge(let bytes, let limit):
            return "refused a message of \(bytes) bytes from \(sender ?? "an unknown sender"): larger than plugin.chorus.max_message_size (\(limit) bytes)"
        case .replayed(let request):
            return "refused request \(request.requestID) from \(request.callerID)@\(request.senderID): replayed (this request id was already received within its TTL of \(request.ttl) s)"
        case .replayWindowFull(let request, let capacity):
            return "refused request \(request.requestID) from \(request.callerID)@\(request.senderID): the replay cache holds \(capacity) live request ids and cannot remember another; raise plugin.chorus.replay_cache_size if this is not a flood"
        case .filterTooLarge(let request, let reason):
            return "refused request \(request.requestID) from \(request.callerID)@\(request.senderID): \(reason)"
        }
    }
}

/// The TTL check (MCollective's `Message#validate`, both directions) without overflow: the
/// envelope's `msgtime` and `ttl` are any Integers an attacker cares to send.
public enum RequestFreshness {
    /// `now - messageTime`, saturated to the Int range.
    public static func age(messageTime: Int, now: Int) -> Int {
        let (age, overflow) = now.subtractingReportingOverflow(messageTime)
        guard overflow else { return age }
        return messageTime > now ? Int.min : Int.max
    }

    /// Whether a message `age` seconds old (negative: dated in the future) is within `ttl`.
    /// A saturated age (`Int.min`, `Int.max`) stands for one beyond any TTL.
    public static func isFresh(age: Int, ttl: Int) -> Bool {
        age != .min && age != .max && ttl >= 0 && age.magnitude <= UInt(ttl)
    }
}
