/// Which replies the client prints for an action (the DDL's `display`).
public enum DisplayPolicy: String, Sendable, Hashable, CaseIterable {
    /// Every reply.
    case always
    /// Only successful replies (status 0).
    case ok
    /// Only failed replies (status other than 0); MCollective's default.
    case failed

    /// Whether a reply with this status code is shown.
    public func shows(statusCode: Int) -> Bool {
        switch self {
        case .always: return true
        case .ok: return statusCode == 0
        case .failed: return statusCode != 0
        }
    }
}
