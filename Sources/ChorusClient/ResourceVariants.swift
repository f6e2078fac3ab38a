import ChorusCore
import RubyMarshal

/// One node's view of a resource: the properties `puppetral` reported for it.
public struct ResourceObservation: Sendable, Hashable {
    public var node: String
    /// Property name → value, in the order the node listed them.
    public var properties: [ResourceProperty]

    public init(node: String, properties: [ResourceProperty]) {
        self.node = node
        self.properties = properties
    }

    /// The properties of a `parameters` hash (Symbol or String keys).
    public init(node: String, parameters: RubyValue?) {
        self.init(node: node, properties: (parameters?.asHash?.pairs ?? []).map { ResourceProperty(name: $0.key.stringValue ?? "\($0.key)", value: $0.value) })
    }

    /// The properties by name, for comparing nodes whatever order they listed them in.
    public var byName: [String: RubyValue] {
        var table: [String: RubyValue] = [:]
        for property in properties where table[property.name] == nil { table[property.name] = property.value }
        return table
    }
}

public struct ResourceProperty: Sendable, Hashable {
    public var name: String
    public var value: RubyValue

    public init(name: String, value: RubyValue) {
        self.name = name
        self.value = value
    }
}

/// One variant of a resource: a set of property values and the nodes that have exactly it.
public struct ResourceVariant: Sendable, Hashable {
    public var properties: [ResourceProperty]
    /// Sorted.
    public var nodes: [String]
    /// Names of this variant's properties whose value is not the same on every variant
    /// (including properties some variants lack), in this variant's order.
    public var differing: [String]

    public init(properties: [ResourceProperty], nodes: [String], differing: [String]) {
        self.properties = properties
        self.nodes = nodes
        self.differing = differing
    }
}

/// A resource as seen across the fleet: PE's Browse Resources inspect view.
public struct ResourceComparison: Sendable, Hashable {
    public var type: String
    public var title: String
    /// Most common first (ties by first node name).
    public var variants: [ResourceVariant]
    /// Every property that differs between variants, in first-seen order.
    public var differing: [String]

    public init(type: String, title: String, variants: [ResourceVariant], differing: [String]) {
        self.type = type
        self.title = title
        self.variants = variants
        self.differing = differing
    }

    /// Every node that reported the resource, sorted.
    public var nodes: [String] { variants.flatMap(\.nodes).sorted() }
}

/// One line of PE's resource list: a resource name, the nodes it was found on, its variants.
public struct ResourceSummary: Sendable, Hashable {
    public var title: String
    public var nodes: [String]
    public var variants: Int

    public init(title: String, nodes: [String], variants: Int) {
        self.title = title
        self.nodes = nodes
        self.variants = variants
    }
}

/// How the resource list is ordered (`--sort`).
public enum ResourceSortOrder: String, Sendable, CaseIterable {
    /// By title.
    case name
    /// Most nodes first, then by title.
    case nodes
    /// Most variants first, then by title.
    case variants
}

/// Groups `puppetral` replies into variants: pure functions from replies to comparisons.
public enum ResourceVariants {
    /// Groups the observations of one resource: nodes with equal properties share a variant.
    public static func compare(type: String, title: String, observations: [ResourceObservation]) -> ResourceComparison {
        var groups: [(values: [String: RubyValue], properties: [ResourceProperty], nodes: [String])] = []
        for observation in observations.sorted(by: { $0.node < $1.node }) {
            let values = observation.byName
            if let index = groups.firstIndex(where: { $0.values == values }) {
                groups[index].nodes.append(observation.node)
            } else {
                groups.append((values, observation.properties, [observation.node]))
            }
        }
        // Most common first; equally common ones by their first node (groups are in node order).
        let ordered = groups.enumerated().sorted { ($1.element.nodes.count, $0.offset) < ($0.element.nodes.count, $1.offset) }.map(\.element)
        var allNames: [String] = []
        for group in ordered {
            for property in group.properties where !allNames.contains(property.name) { allNames.append(property.name) }
        }
        let differing = allNames.filter { name in
            let first = ordered.first?.values[name]
            return ordered.contains { $0.values[name] != first }
        }
        let variants = ordered.map { group in
            ResourceVariant(properties: group.properties, nodes: group.nodes, differing: group.properties.map(\.name).filter(differing.contains))
        }
        return ResourceComparison(type: type, title: title, variants: variants, differing: differing)
    }

    /// `find` replies for one resource: every successful reply is an observation.
    public static func compare(type: String, title: String, findResults results: [RPCResult]) -> ResourceComparison {
        compare(type: type, title: title, observations: results.filter(\.succeeded).map {
            ResourceObservation(node: $0.sender, parameters: $0.data["parameters"])
        })
    }

    /// `search` replies: every resource any node reported, compared across the nodes that have it.
    public static func compare(type: String, searchResults results: [RPCResult]) -> [ResourceComparison] {
        var order: [String] = []
        var observations: [String: [ResourceObservation]] = [:]
        for result in results where result.succeeded {
            for pair in result.data["result"]?.asHash?.pairs ?? [] {
                guard let title = pair.key.stringValue else { continue }
                if observations[title] == nil { order.append(title) }
                observations[title, default: []].append(ResourceObservation(node: result.sender, parameters: pair.value["parameters"]))
            }
        }
        return order.map { compare(type: type, title: $0, observations: observations[$0] ?? []) }
    }

    /// The resource list: each resource with its nodes and number of variants, sorted.
    public static func summaries(_ comparisons: [ResourceComparison], sortedBy order: ResourceSortOrder = .name) -> [ResourceSummary] {
        let summaries = comparisons.map { ResourceSummary(title: $0.title, nodes: $0.nodes, variants: $0.variants.count) }
        switch order {
        case .name: return summaries.sorted { $0.title < $1.title }
        case .nodes: return summaries.sorted { ($1.nodes.count, $0.title) < ($0.nodes.count, $1.title) }
        case .variants: return summaries.sorted { ($1.variants, $0.title) < ($0.variants, $1.title) }
        }
    }

    /// PE's Inspect All similarity for one type: the share of resources that are identical
    /// (one variant) on every node that answered.
    public static func similarity(_ comparisons: [ResourceComparison], answeringNodes: Int) -> Double {
        guard !comparisons.isEmpty else { return 1 }
        let same = comparisons.filter { $0.variants.count == 1 && $0.nodes.count == answeringNodes }.count
        return Double(same) / Double(comparisons.count)
    }
}
