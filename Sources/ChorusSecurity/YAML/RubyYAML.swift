import RubyMarshal

/// Ruby's YAML (Psych 4.0 over libyaml 0.2.5, as in Ruby 3.1) for the values MCollective
/// puts on the wire: what the ssl security plugin writes with `plugin.ssl_serializer = yaml`.
public enum RubyYAML {
    /// The largest document `load` parses unless told otherwise: 4 MiB.
    public static let defaultMaxBytes = 4 << 20

    /// The bytes Ruby 3.1's `YAML.dump(value)` writes, byte for byte: `---`, block
    /// collections, symbols as `:name`, multi-line text as `|` blocks, `!ruby/regexp`,
    /// `!binary` for binary strings, and Psych's quoting rules.
    ///
    /// Deviation: text that is not valid UTF-8 (Psych raises on it) is written as `!binary`.
    public static func dump(_ value: RubyValue) throws(RubyYAMLError) -> [UInt8] {
        YAMLEmitter.document(try PsychDumper.node(value))
    }

    /// What `YAML.safe_load(text, permitted_classes: [Symbol, Regexp])` returns: the first
    /// document, with `:name` scalars as Symbols and plain scalars typed as Psych types them.
    /// Aliases, Time and Date values and Ruby object tags are refused, as `safe_load`
    /// refuses them. Nesting is limited by `limits.maxDepth`, the number of
    /// values by `limits.maxNodes`, each collection by `limits.maxCollectionCount`. A document
    /// longer than `maxBytes` is refused before parsing: the parser builds the whole node
    /// tree (several hundred bytes a node) before the other limits can be checked, so the
    /// byte count is what bounds its memory.
    ///
    /// Deviations (all outside what MCollective sends): duplicate mapping keys are refused
    /// (Psych keeps the last; a nil key and an empty String key count as duplicates); a
    /// mapping key tagged `!` (how Psych writes a nil key) reads as a String; a U+FEFF that starts a scalar is dropped (the YAML parser's
    /// text conversion strips it); a quoted `'<<'` key is never a merge key.
    public static func load(_ bytes: [UInt8], limits: MarshalLimits = .default, maxBytes: Int = defaultMaxBytes) throws(RubyYAMLError) -> RubyValue {
        guard bytes.count <= maxBytes else { throw .documentTooLong(bytes: bytes.count, limit: maxBytes) }
        guard let text = String(validating: bytes, as: UTF8.self) else { throw .syntax("the document is not valid UTF-8") }
        return try PsychLoader.load(text, limits: limits)
    }
}

/// Why YAML could not be written or read.
public enum RubyYAMLError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Not YAML, or YAML libyaml rejects (the message names the line and column).
    case syntax(String)
    /// Valid YAML that `safe_load` refuses: aliases, Time, Date, object tags.
    case unsupported(String)
    /// Deeper than the limit allows.
    case tooDeep
    /// More values than the limit allows.
    case tooLarge
    /// A document longer than the byte limit, refused before parsing.
    case documentTooLong(bytes: Int, limit: Int)

    public var description: String {
        switch self {
        case .syntax(let why): return "invalid YAML: \(why)"
        case .unsupported(let what): return "YAML not accepted: \(what)"
        case .tooDeep: return "YAML nested too deeply"
        case .tooLarge: return "YAML document too large"
        case .documentTooLong(let bytes, let limit): return "YAML document of \(bytes) bytes is longer than the limit of \(limit) bytes"
        }
    }
}
