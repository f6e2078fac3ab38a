import RubyMarshal

/// Bounds on a received filter hash, checked on the raw value before it is read into a
/// `Filter`, so a hostile filter costs no more than a scan of its outline.
///
/// The defaults accept everything a client can send: `-S` expressions are at most
/// `CompoundParser.maximumLength` characters and `CompoundParser.maximumNesting` parentheses
/// deep, and MCollective puts at most one identity per node in an identity filter.
public struct FilterLimits: Sendable, Hashable {
    /// Most entries in each of the `fact`, `cf_class`, `agent` and `identity` sections.
    public var maxSectionEntries: Int
    /// Most compound expressions (`-S` options).
    public var maxExpressions: Int
    /// Most tokens in one compound expression.
    public var maxTokens: Int
    /// Deepest nesting of `(` in one compound expression.
    public var maxNesting: Int
    /// Longest text (Unicode scalars) of one entry, statement or data plugin argument.
    public var maxTextLength: Int

    public init(
        maxSectionEntries: Int = 10_000, maxExpressions: Int = 64, maxTokens: Int = 4096,
        maxNesting: Int = CompoundParser.maximumNesting, maxTextLength: Int = CompoundParser.maximumLength
    ) {
        self.maxSectionEntries = maxSectionEntries
        self.maxExpressions = maxExpressions
        self.maxTokens = maxTokens
        self.maxNesting = maxNesting
        self.maxTextLength = maxTextLength
    }

    /// 10,000 entries a section, 64 expressions of at most 4,096 tokens, nesting
    /// `CompoundParser.maximumNesting`, texts of `CompoundParser.maximumLength`.
    public static let `default` = FilterLimits()

    /// Throws `FilterError.tooLarge` naming the first bound `filter` (a received filter hash)
    /// exceeds. Shape problems are left to `Filter(rubyValue:)`, which reports them.
    public func check(_ filter: RubyValue) throws(FilterError) {
        guard case .hash(let hash) = filter else { return }
        for pair in hash.pairs {
            guard let key = pair.key.stringValue, let entries = pair.value.arrayValue else { continue }
            switch key {
            case "fact", "cf_class", "puppet_class", "agent", "identity":
                guard entries.count <= maxSectionEntries else {
                    throw .tooLarge("the \(key) filter has \(entries.count) entries, the limit is \(maxSectionEntries)")
                }
                for entry in entries { try checkText(entry, in: key) }
            case "compound":
                guard entries.count <= maxExpressions else {
                    throw .tooLarge("the filter has \(entries.count) compound expressions, the limit is \(maxExpressions)")
                }
                for expression in entries { try checkExpression(expression) }
            default:
                continue
            }
        }
    }

    private func checkExpression(_ expression: RubyValue) throws(FilterError) {
        guard let tokens = expression.arrayValue else { return }
        guard tokens.count <= maxTokens else {
            throw .tooLarge("a compound expression has \(tokens.count) tokens, the limit is \(maxTokens)")
        }
        var depth = 0
        for token in tokens {
            guard case .hash(let pair) = token, let first = pair.pairs.first, let key = first.key.stringValue else { continue }
            switch key {
            case "(":
                depth += 1
                guard depth <= maxNesting else {
                    throw .tooLarge("a compound expression nests parentheses deeper than \(maxNesting)")
                }
            case ")":
                depth -= 1
            default:
                try checkText(first.value, in: "compound")
            }
        }
    }

    /// A String, or the String values of a Hash (fact entries, `fstatement`s), within `maxTextLength`.
    private func checkText(_ value: RubyValue, in section: String) throws(FilterError) {
        let texts: [RubyValue]
        switch value {
        case .hash(let hash): texts = hash.pairs.map(\.value)
        default: texts = [value]
        }
        for text in texts {
            let length: Int
            switch text {
            case .string(let string):
                // Bytes bound scalars from above; count scalars only when the bytes could be over.
                guard string.bytes.count > maxTextLength else { continue }
                length = String(decoding: string.bytes, as: UTF8.self).unicodeScalars.count
            case .symbol(let name), .regexp(let name, _):
                length = name.unicodeScalars.count
            default:
                continue
            }
            guard length <= maxTextLength else {
                throw .tooLarge("a \(section) entry is \(length) characters long, the limit is \(maxTextLength)")
            }
        }
    }
}
