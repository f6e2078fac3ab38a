/// An aggregate function the client runs over the replies of an action (the DDL's `summarize` block).
public struct AggregateSpec: Sendable, Hashable {
    /// The aggregate plugins MCollective ships and Chorus implements.
    public enum Function: String, Sendable, Hashable, CaseIterable {
        /// Counts each distinct value (each element of an array value).
        case summary
        /// The arithmetic mean of numeric values.
        case average
        /// The total of numeric values.
        case sum
    }

    public var function: Function
    /// The output whose values are aggregated.
    public var output: String
    /// A Ruby `format` string for the result lines; nil uses the function's default.
    public var format: String?

    public init(function: Function, output: String, format: String? = nil) {
        self.function = function
        self.output = output
        self.format = format
    }
}
