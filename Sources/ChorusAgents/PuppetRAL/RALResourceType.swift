/// The resource types Chorus's `puppetral` agent reads natively: PE 3.8's Browse Resources
/// types (group, host, package, service, user), each read from the node's own files and
/// programs instead of through Puppet's Ruby RAL.
public enum RALResourceType: String, Sendable, Hashable, CaseIterable, Comparable {
    case group, host, package, service, user

    /// The type named in a request. Puppet looks types up case-insensitively (`User` is `user`).
    public init?(name: String) {
        self.init(rawValue: name.lowercased())
    }

    /// The type as a `Puppet::Resource` spells it in `type` (`User`).
    public var puppetName: String { rawValue.prefix(1).uppercased() + rawValue.dropFirst() }

    /// Every supported type name, sorted, for messages.
    public static var supportedNames: [String] { allCases.map(\.rawValue).sorted() }

    public static func < (lhs: RALResourceType, rhs: RALResourceType) -> Bool { lhs.rawValue < rhs.rawValue }
}
