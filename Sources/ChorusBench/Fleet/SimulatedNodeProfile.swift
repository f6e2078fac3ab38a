import RubyMarshal

/// Who simulated node number `index` of a bench fleet is: its identity and its facts.
///
/// Every node has its own identity (`<prefix>-<index>`) and facts, so filters select real
/// subsets: `bench_group` is `index % 10` (a filter on one group matches 10 % of the fleet),
/// `role` cycles web/db/app, and `hostname` is the identity. Pure: the same index always
/// gives the same node, in the workers and in the client that predicts who must answer.
public struct SimulatedNodeProfile: Sendable, Equatable {
    /// The fact that splits the fleet into ten equal groups.
    public static let groupFact = "bench_group"
    /// How many groups `groupFact` takes (0 … groups-1).
    public static let groups = 10

    public let index: Int
    public let identity: String

    public init(index: Int, prefix: String) {
        self.index = index
        self.identity = Self.identity(index: index, prefix: prefix)
    }

    /// `<prefix>-<index>`: `bench-0`, `bench-1`, …
    public static func identity(index: Int, prefix: String) -> String { "\(prefix)-\(index)" }

    /// The node's group (0 … 9).
    public var group: Int { index % Self.groups }

    /// Normalised as a fact source returns them: String keys, String values.
    public var facts: RubyHash {
        var facts = RubyHash()
        facts.set(.str(identity), for: .str("hostname"))
        facts.set(.str(String(group)), for: .str(Self.groupFact))
        facts.set(.str(String(index)), for: .str("bench_index"))
        facts.set(.str(["web", "db", "app"][index % 3]), for: .str("role"))
        facts.set(.str("Debian"), for: .str("osfamily"))
        return facts
    }

    /// How many of the first `count` nodes are in `group`.
    public static func members(ofGroup group: Int, among count: Int) -> Int {
        guard group >= 0, group < groups, count > group else { return 0 }
        return (count - 1 - group) / groups + 1
    }
}
