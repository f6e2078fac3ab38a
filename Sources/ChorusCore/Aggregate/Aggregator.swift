import RubyMarshal

/// Runs an action's aggregate functions over replies as they arrive (MCollective's
/// aggregate plugins `summary`, `average` and `sum`).
///
/// Only successful replies (status 0) are aggregated. `summary` counts each distinct value,
/// counting every element of an Array value and skipping nil; a Hash value counts as one
/// value. `average` and `sum` add the values as Ruby would (Integers stay Integers, so an
/// Integer average is floored); a value that is not a number ends that function with
/// `AggregateFailure.processResult`.
public struct Aggregator: Sendable {
    private var functions: [FunctionState]
    private let action: ActionDDL

    /// Aggregates the functions the action's DDL declares.
    public init(action: ActionDDL) {
        self.action = action
        functions = action.aggregates.map(FunctionState.init)
    }

    /// Whether the action declares no aggregates (nothing to show).
    public var isEmpty: Bool { functions.isEmpty }

    /// Adds one reply.
    public mutating func process(_ result: RPCResult) {
        guard result.succeeded else { return }
        for index in functions.indices {
            functions[index].process(result.data[functions[index].spec.output])
        }
    }

    /// The results so far, in DDL order.
    public func summaries() -> [AggregateSummary] {
        functions.map { $0.summary(label: action.displayName(forOutput: $0.spec.output)) }
    }

    /// Aggregates a finished set of replies.
    public static func summarize(_ results: [RPCResult], action: ActionDDL) -> [AggregateSummary] {
        var aggregator = Aggregator(action: action)
        for result in results { aggregator.process(result) }
        return aggregator.summaries()
    }
}

/// The running state of one aggregate function.
private struct FunctionState: Sendable {
    let spec: AggregateSpec
    /// `summary`: distinct values in first-seen order with their counts.
    private var values: [AggregateSummary.ValueCount] = []
    /// Position in `values` of each value, keyed as Ruby's Hash would compare them.
    private var positions: [RubyValue: Int] = [:]
    /// `average` / `sum`.
    private var total: RubyValue = 0
    private var count = 0
    private var failure: AggregateFailure?

    init(_ spec: AggregateSpec) { self.spec = spec }

    mutating func process(_ value: RubyValue?) {
        guard failure == nil else { return }
        let value = value ?? .nil
        switch spec.function {
        case .summary:
            guard !value.isNil else { return }
            if case .array(let elements) = value {
                for element in elements { add(element) }
            } else {
                add(value)
            }
        case .average, .sum:
            guard let sum = total.rubyPlus(value) else {
                failure = .processResult
                return
            }
            total = sum
            count += 1
        }
    }

    private mutating func add(_ value: RubyValue) {
        let key = value.hashKey
        if let position = positions[key] {
            values[position].count += 1
        } else {
            positions[key] = values.count
            values.append(AggregateSummary.ValueCount(value: value, count: 1))
        }
    }

    func summary(label: String) -> AggregateSummary {
        if let failure {
            return AggregateSummary(spec: spec, label: label, outcome: .failed(failure), text: "")
        }
        do {
            switch spec.function {
            case .summary:
                // Ruby sorts ascending by count and reverses: most frequent first, ties in
                // reverse order of first appearance.
                let ascending = values.enumerated().sorted {
                    ($0.element.count, $0.offset) < ($1.element.count, $1.offset)
                }
                let ordered = ascending.reversed().map(\.element)
                return AggregateSummary(
                    spec: spec, label: label, outcome: .counts(ordered), text: try summaryText(ordered))
            case .sum:
                let format = spec.format ?? "Sum of \(spec.output): %f"
                return AggregateSummary(
                    spec: spec, label: label, outcome: .number(total), text: try RubyFormat.format(format, [total]))
            case .average:
                guard count > 0, let mean = total.rubyDivided(by: count) else {
                    return AggregateSummary(spec: spec, label: label, outcome: .failed(.summarize), text: "")
                }
                let format = spec.format ?? "Average of \(spec.output): %f"
                return AggregateSummary(
                    spec: spec, label: label, outcome: .number(mean), text: try RubyFormat.format(format, [mean]))
            }
        } catch {
            return AggregateSummary(spec: spec, label: label, outcome: .failed(.summarize), text: "")
        }
    }

    /// One line per value; MCollective pads the values to the longest (`"%<n>s = %s"`).
    private func summaryText(_ ordered: [AggregateSummary.ValueCount]) throws(RubyFormat.Failure) -> String {
        // A nil among the values (from an Array value) makes MCollective print nothing.
        if ordered.contains(where: { $0.value.isNil }) { return "" }
        let width = ordered.map(\.value.rubyLength).max() ?? 0
        let format = spec.format ?? "%\(width)s = %s"
        var lines: [String] = []
        lines.reserveCapacity(ordered.count)
        for entry in ordered {
            lines.append(try RubyFormat.format(format, [entry.value, .int(entry.count)]))
        }
        return lines.joined(separator: "\n")
    }
}

extension RubyValue {
    /// The value as a Ruby Hash key compares: Strings by their bytes, whatever the encoding.
    fileprivate var hashKey: RubyValue {
        if case .string(let string) = self { return .string(RubyString(bytes: string.bytes, encoding: .binary)) }
        return self
    }

    /// Ruby's `+` for numbers; nil where Ruby raises (non-numbers).
    fileprivate func rubyPlus(_ other: RubyValue) -> RubyValue? {
        switch (self, other) {
        case (.int(let a), .int(let b)):
            let (sum, overflow) = a.addingReportingOverflow(b)
            return overflow ? .float(Double(a) + Double(b)) : .int(sum)
        case (.int(let a), .float(let b)): return .float(Double(a) + b)
        case (.float(let a), .int(let b)): return .float(a + Double(b))
        case (.float(let a), .float(let b)): return .float(a + b)
        default: return nil
        }
    }

    /// Ruby's `/` by an Integer count: Integers floor, Floats divide.
    fileprivate func rubyDivided(by count: Int) -> RubyValue? {
        switch self {
        case .int(let a):
            let (quotient, remainder) = a.quotientAndRemainder(dividingBy: count)
            return .int(remainder != 0 && (remainder < 0) != (count < 0) ? quotient - 1 : quotient)
        case .float(let a): return .float(a / Double(count))
        default: return nil
        }
    }
}
