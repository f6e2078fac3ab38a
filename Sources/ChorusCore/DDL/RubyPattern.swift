/// A regular expression written in Ruby syntax, compiled once, matched as Ruby's `String#match` does.
///
/// Ruby semantics kept: the match is a search (not anchored unless the pattern says so),
/// `^` and `$` match at every line start and end, `.` does not match a newline, `\w`, `\d`
/// and `\s` are ASCII-only, `\h` is a hex digit, and matching works on Unicode scalars
/// (Ruby's characters) rather than grapheme clusters.
public struct RubyPattern: Sendable, Hashable, CustomStringConvertible {
    /// The pattern as written, e.g. `^[\w\-\.]+$`.
    public let source: String
    private let compiled: CompiledRegex

    /// Compiles `source`; throws when Swift's regex engine cannot parse it.
    public init(_ source: String) throws(RubyPatternError) {
        self.source = source
        let translated = Self.translate(source)
        do {
            let regex = try Regex(translated)
                .anchorsMatchLineEndings()
                .asciiOnlyWordCharacters()
                .asciiOnlyDigits()
                .asciiOnlyWhitespace()
                .matchingSemantics(.unicodeScalar)
            compiled = CompiledRegex(regex)
        } catch {
            throw RubyPatternError(pattern: source, reason: "\(error)")
        }
    }

    /// Whether the pattern matches anywhere in `text`.
    public func matches(_ text: String) -> Bool {
        (try? compiled.regex.firstMatch(in: text)) != nil
    }

    public var description: String { source }

    public static func == (lhs: RubyPattern, rhs: RubyPattern) -> Bool { lhs.source == rhs.source }
    public func hash(into hasher: inout Hasher) { hasher.combine(source) }

    /// Rewrites the Ruby escapes Swift reads differently: `\h` (hex digit in Ruby,
    /// horizontal space in Swift) and `\H`.
    static func translate(_ source: String) -> String {
        var result = ""
        result.reserveCapacity(source.utf8.count)
        var inClass = false
        var escaped = false
        for character in source {
            if escaped {
                escaped = false
                switch character {
                case "h": result += inClass ? "0-9a-fA-F" : "[0-9a-fA-F]"
                case "H" where !inClass: result += "[^0-9a-fA-F]"
                default:
                    result.append("\\")
                    result.append(character)
                }
                continue
            }
            switch character {
            case "\\": escaped = true
            case "[":
                inClass = true
                result.append(character)
            case "]":
                inClass = false
                result.append(character)
            default: result.append(character)
            }
        }
        if escaped { result.append("\\") }
        return result
    }
}

/// A pattern that could not be compiled.
public struct RubyPatternError: Error, Sendable, Hashable, CustomStringConvertible {
    public var pattern: String
    public var reason: String
    public var description: String { "invalid regular expression \(pattern): \(reason)" }
}

/// Holds a compiled `Regex`, which the standard library does not mark `Sendable`.
///
/// The regex is immutable after construction and the standard library initialises its
/// lazily lowered program atomically, so sharing it between tasks is safe.
private final class CompiledRegex: @unchecked Sendable {
    let regex: Regex<AnyRegexOutput>
    init(_ regex: Regex<AnyRegexOutput>) { self.regex = regex }
}
