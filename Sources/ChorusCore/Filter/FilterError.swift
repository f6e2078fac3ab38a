/// Why a filter could not be built from user input or from a received filter hash.
public enum FilterError: Error, Sendable, Hashable, CustomStringConvertible {
    /// A `-F`/`-W` fact string with no recognisable operator (util.rb parse_fact_string).
    case invalidFact(String)
    /// A `-S` compound expression that does not scan or parse; `column` is 1-based.
    case compoundSyntax(message: String, input: String, column: Int)
    /// A `-S` expression longer than `CompoundParser.maximumLength`.
    case compoundTooLong(length: Int, limit: Int)
    /// A received filter hash that does not have MCollective's shape.
    case malformed(String)
    /// A received filter hash beyond `FilterLimits` (what was too large, and the limit).
    case tooLarge(String)

    public var description: String {
        switch self {
        case .invalidFact(let text):
            return "Could not parse fact \(text) it does not appear to be in a valid format"
        case .compoundSyntax(let message, let input, let column):
            return "Could not parse -S input '\(input)' at column \(column): \(message)"
        case .compoundTooLong(let length, let limit):
            return "The -S input is \(length) characters long, the limit is \(limit)"
        case .malformed(let reason):
            return "Malformed filter: \(reason)"
        case .tooLarge(let reason):
            return "Filter too large: \(reason)"
        }
    }
}
