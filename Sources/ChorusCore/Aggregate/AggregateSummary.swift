import RubyMarshal

/// The result of one aggregate function over an action's replies, ready to print.
public struct AggregateSummary: Sendable, Hashable {
    /// How often one distinct value was seen.
    public struct ValueCount: Sendable, Hashable {
        public var value: RubyValue
        public var count: Int

        public init(value: RubyValue, count: Int) {
            self.value = value
            self.count = count
        }
    }

    public enum Outcome: Sendable, Hashable {
        /// `summary`: each distinct value with its count, most frequent first.
        case counts([ValueCount])
        /// `average` or `sum`: the number computed.
        case number(RubyValue)
        /// The function could not produce a result.
        case failed(AggregateFailure)
    }

    /// The DDL declaration this summary answers.
    public var spec: AggregateSpec
    /// The output's `display_as`, shown as "Summary of <label>:".
    public var label: String
    public var outcome: Outcome
    /// The formatted result as MCollective's aggregate `to_s` builds it: one line per
    /// value for `summary` ("Debian = 2"), one line for `average`/`sum`
    /// ("Average of took: 12.000000"). Empty when nothing could be computed.
    public var text: String

    public init(spec: AggregateSpec, label: String, outcome: Outcome, text: String) {
        self.spec = spec
        self.label = label
        self.outcome = outcome
        self.text = text
    }

    public var failure: AggregateFailure? {
        if case .failed(let failure) = outcome { return failure }
        return nil
    }
}

/// Why an aggregate function produced no result; the messages are MCollective's.
public enum AggregateFailure: String, Sendable, Hashable {
    /// A reply's value could not be used (for example a String given to `sum`).
    case processResult
    /// The final computation or its formatting failed (for example `average` of no values).
    case summarize

    /// Shown as "Could not compute summary - <message>".
    public var message: String {
        switch self {
        case .processResult: return "exception raised while processing result data"
        case .summarize: return "exception raised while summarizing"
        }
    }
}
