/// STOMP protocol versions as written in `accept-version` and `version` headers.
public enum STOMPVersion: String, Sendable, Hashable, CaseIterable, Comparable {
    case v1_0 = "1.0"
    case v1_1 = "1.1"
    case v1_2 = "1.2"

    /// Whether frames of this version escape header names and values.
    public var usesEscapes: Bool { self != .v1_0 }

    /// Whether a `version` header value (absent = 1.0) means escaped headers.
    public static func usesEscapes(_ versionHeader: String?) -> Bool {
        guard let versionHeader, let version = STOMPVersion(rawValue: versionHeader) else { return false }
        return version.usesEscapes
    }

    public static func < (lhs: STOMPVersion, rhs: STOMPVersion) -> Bool {
        lhs.rawValue < rhs.rawValue
    }
}
