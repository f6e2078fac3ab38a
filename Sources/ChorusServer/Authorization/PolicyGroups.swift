/// The groups file (`<configdir>/policies/groups`): one group per line, `name callerid callerid…`,
/// separated by spaces or TABs; `#` comments and blank lines are skipped. A policy's callers
/// field may name a group instead of listing its caller ids.
public struct PolicyGroups: Sendable, Hashable {
    /// Caller ids by group name.
    public var members: [String: [String]]

    public init(members: [String: [String]] = [:]) { self.members = members }

    /// No groups (no groups file).
    public static let none = PolicyGroups()

    /// Parses the groups file. Group names are letters, digits, `_`, `.` and `-` (as
    /// actionpolicy.rb requires); a line with a name and no members defines an empty group; a
    /// name defined twice keeps its last line (as MCollective). Any other line is an error: the
    /// store then denies every request rather than guess who belongs where.
    public init(parsing text: String, file: String? = nil) throws(ActionPolicyError) {
        var members: [String: [String]] = [:]
        for (index, raw) in PolicyText.lines(text).enumerated() {
            let line = PolicyText.trimmed(raw)
            if line.isEmpty || line.hasPrefix("#") { continue }
            let words = PolicyText.words(line)
            guard PolicyText.isGroupName(words[0]) else {
                throw ActionPolicyError(
                    file: file, line: index + 1,
                    message: "'\(PolicyText.excerpt(Substring(words[0])))' is not a group name (letters, digits, _ . - only); lines read 'group_name callerid callerid …'")
            }
            members[words[0]] = Array(words.dropFirst())
        }
        self.init(members: members)
    }

    /// Whether `caller` is listed in group `name`.
    public func contains(_ caller: String, inGroup name: String) -> Bool {
        members[name]?.contains(caller) ?? false
    }
}
