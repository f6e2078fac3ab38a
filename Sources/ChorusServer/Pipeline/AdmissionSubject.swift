import ChorusCore
import RubyMarshal

/// The node as the admission filter sees it: facts, classes and agent names are read the
/// first time the filter asks for them, not before. Most requests carry an empty filter
/// (ping, discovery) or one that names only agents or identities (directed and SimpleRPC
/// requests), so most requests never read the facts or the classes file at all.
///
/// One instance serves one filter evaluation on one task.
final class AdmissionSubject: FilterSubject {
    private let node: NodeState

    init(node: NodeState) { self.node = node }

    var identity: String { node.identity }
    private(set) lazy var facts: RubyHash = node.facts
    private(set) lazy var classes: [String] = node.classes
    private(set) lazy var agents: [String] = node.agentNames

    func dataQuery(plugin: String, query: String?) -> RubyHash? {
        try? node.queryData(plugin: plugin, query: query)
    }
}
