import ChorusServer
import RubyMarshal

/// A fact source that never changes: a simulated node's facts, held in memory instead of
/// read from a YAML file (thousands of nodes in one process would otherwise each stat a file
/// per request).
public struct StaticFactSource: FactSource {
    private let values: RubyHash

    public init(_ facts: RubyHash) { values = facts }

    public func facts() -> RubyHash { values }
}
