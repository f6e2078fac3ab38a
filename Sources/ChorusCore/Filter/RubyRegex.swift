/// Ruby regex sources compiled once per filter evaluation (`RubyPattern`: Ruby's line anchors,
/// ASCII `\w`/`\d`/`\s`, `\h`, Unicode-scalar matching, unanchored search).
struct RubyRegexCache {
    private var compiled: [String: RubyPattern] = [:]
    private static let limit = 64

    /// Whether `source` matches anywhere in `text`. Throws when the source does not compile.
    mutating func matches(_ source: String, in text: String) throws -> Bool {
        if let pattern = compiled[source] { return pattern.matches(text) }
        let pattern = try RubyPattern(source)
        if compiled.count < Self.limit { compiled[source] = pattern }
        return pattern.matches(text)
    }
}
