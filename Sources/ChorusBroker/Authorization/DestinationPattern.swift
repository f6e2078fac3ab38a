/// The destinations an `acl.` line applies to, in ActiveMQ's wildcard style:
///
/// ```
/// /topic/mcollective.*.agent          every agent's request topic of the mcollective collective
/// /queue/mcollective.reply.>          every reply queue (and mcollective.reply itself)
/// /exchange/mcollective_directed/>    every directed request, whatever the node's identity
/// /temp-queue/>                       every private reply queue a SEND's reply-to asks for
/// >                                   every destination of every kind
/// ```
///
/// A pattern is a destination kind prefix (`/topic/`, `/queue/` or its alias `/amq/queue/`,
/// `/exchange/`, `/temp-queue/`, `/reply-queue/`) and a name split into segments at `.` and
/// `/`. A segment `*` matches exactly one segment of the name, `>` (last only) the rest of it:
/// zero or more segments, as in ActiveMQ, where `a.b.>` also matches `a.b`. Every other segment
/// matches itself, character for character; the separators must agree (`*` does not match
/// across a `/`, so `/exchange/*/>` does not match an exchange named `amq.topic`). Wildcards are
/// whole segments: `mcollective_*` is refused rather than taken literally.
///
/// Pure value type: parsing here, matching in ``matches(_:)``.
public struct DestinationPattern: Sendable, Hashable, CustomStringConvertible {
    /// One segment of a pattern.
    enum Segment: Hashable {
        /// The segment itself.
        case literal(Substring)
        /// `*`: any one segment.
        case one
        /// `>`: the rest of the name, zero or more segments.
        case rest
    }

    /// The kind it applies to; `nil` for `>` alone (every destination).
    let kind: Destination.Kind?
    /// The name's segments with the separator before each (`nil` for the first).
    let segments: [(separator: Character?, segment: Segment)]
    /// As written in the configuration.
    public let text: String

    private static let prefixes: [(String, Destination.Kind)] = [
        ("/topic/", .topic), ("/queue/", .queue), ("/amq/queue/", .queue), ("/exchange/", .exchange),
        ("/temp-queue/", .temporaryQueue), ("/reply-queue/", .replyQueue),
    ]

    /// Parses a pattern; the error says what is wrong with it.
    public init(parsing text: String) throws(AccessPolicyError) {
        self.text = text
        if text == ">" {
            kind = nil
            segments = [(nil, .rest)]
            return
        }
        guard let (prefix, kind) = Self.prefixes.first(where: { text.hasPrefix($0.0) }) else {
            throw AccessPolicyError(
                "'\(text)' is not a destination pattern: it must start with /topic/, /queue/, /exchange/, /temp-queue/ or /reply-queue/ (or be > for every destination)")
        }
        let name = text.dropFirst(prefix.count)
        guard !name.isEmpty else {
            throw AccessPolicyError("'\(text)' names no destination after \(prefix); use \(prefix)> for all of them")
        }
        var parsed: [(Character?, Segment)] = []
        for (separator, word) in Self.split(name) {
            if parsed.last?.1 == .rest {
                throw AccessPolicyError("'\(text)': > matches the rest of a name, so it must be the last segment")
            }
            switch word {
            case "*": parsed.append((separator, .one))
            case ">": parsed.append((separator, .rest))
            case _ where word.contains("*") || word.contains(">"):
                throw AccessPolicyError(
                    "'\(text)': the wildcards * and > stand for whole segments between . or /, not '\(word)'")
            default: parsed.append((separator, .literal(word)))
            }
        }
        self.kind = kind
        self.segments = parsed
    }

    /// Whether `destination` is one of the destinations the pattern names.
    public func matches(_ destination: Destination) -> Bool {
        guard let kind else { return true }
        guard destination.kind == kind else { return false }
        var subject = destination.name[...]
        if let key = destination.routingKey {
            subject = Substring(destination.name + "/" + key)
        }
        let words = Self.split(subject)
        var index = 0
        for (separator, segment) in segments {
            if segment == .rest {
                return index == words.count || words[index].separator == separator
            }
            guard index < words.count, words[index].separator == separator else { return false }
            if case .literal(let literal) = segment, words[index].word != literal { return false }
            index += 1
        }
        return index == words.count
    }

    /// `a.b/c` → `[(nil, a), (".", b), ("/", c)]`; empty segments are kept (`a..b`, `x/`).
    static func split(_ name: Substring) -> [(separator: Character?, word: Substring)] {
        var result: [(Character?, Substring)] = []
        var separator: Character?
        var start = name.startIndex
        for index in name.indices where name[index] == "." || name[index] == "/" {
            result.append((separator, name[start..<index]))
            separator = name[index]
            start = name.index(after: index)
        }
        result.append((separator, name[start...]))
        return result
    }

    public var description: String { text }

    public static func == (lhs: DestinationPattern, rhs: DestinationPattern) -> Bool { lhs.text == rhs.text }
    public func hash(into hasher: inout Hasher) { hasher.combine(text) }
}

/// Why an `acl.` or `group.` line cannot be used; the configuration parser adds the line number.
public struct AccessPolicyError: Error, Sendable, Equatable, CustomStringConvertible {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
