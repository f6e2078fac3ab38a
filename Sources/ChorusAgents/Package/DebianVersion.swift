/// A Debian package version split into its parts: `[epoch:]upstream[-revision]`
/// (deb-version(7)). The package agent reports them as `epoch`, `version` and `release`.
public struct DebianVersion: Sendable, Hashable, CustomStringConvertible {
    /// The epoch, "0" when the version has none.
    public var epoch: String
    /// The upstream version.
    public var upstream: String
    /// The Debian revision after the last `-`, "" for a native package.
    public var revision: String

    /// Splits `text`: the epoch is the digits before the first `:`, the revision what follows the last `-`.
    public init(_ text: String) {
        var rest = Substring(text)
        if let colon = rest.firstIndex(of: ":"), !rest[..<colon].isEmpty, rest[..<colon].allSatisfy(\.isASCIIDigit) {
            epoch = String(rest[..<colon])
            rest = rest[rest.index(after: colon)...]
        } else {
            epoch = "0"
        }
        if let dash = rest.lastIndex(of: "-") {
            upstream = String(rest[..<dash])
            revision = String(rest[rest.index(after: dash)...])
        } else {
            upstream = String(rest)
            revision = ""
        }
    }

    /// The version as dpkg writes it (the epoch only when it is not 0).
    public var description: String {
        (epoch == "0" ? "" : epoch + ":") + upstream + (revision.isEmpty ? "" : "-" + revision)
    }
}

extension Character {
    fileprivate var isASCIIDigit: Bool { ("0"..."9").contains(self) }
}
