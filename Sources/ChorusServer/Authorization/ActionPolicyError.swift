/// Why a policy or groups file cannot be used; `description` reads `file:line: message`.
///
/// Chorus fails closed: a policy file with any such error denies every request it governs
/// until it is fixed (MCollective skipped lines it could not read, which let a mistyped
/// `deny` line silently allow).
public struct ActionPolicyError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The file, nil when parsed from text.
    public var file: String?
    /// The 1-based line, nil when the problem is the whole file (unreadable, too large).
    public var line: Int?
    public var message: String

    public init(file: String?, line: Int?, message: String) {
        self.file = file
        self.line = line
        self.message = message
    }

    public var description: String {
        let name = file ?? "(policy)"
        if let line { return "\(name):\(line): \(message)" }
        return "\(name): \(message)"
    }
}
