import ChorusCore

extension Filter {
    /// True when the filter names nodes by exact identity only, so discovery can be skipped
    /// and the nodes addressed directly (MCollective rpc/client.rb identity-only shortcut).
    public var isIdentityOnly: Bool {
        !identities.isEmpty && facts.isEmpty && classes.isEmpty && agents.isEmpty && compound.isEmpty
            && identities.allSatisfy { !($0.hasPrefix("/") && $0.hasSuffix("/")) }
    }

    /// This filter with `agent` added to its agent list (discovery asks only nodes that have the agent).
    public func requiring(agent: String) -> Filter {
        var copy = self
        if !copy.agents.contains(agent) { copy.agents.append(agent) }
        return copy
    }

    /// The filter a directed request carries when nodes were chosen before encoding: empty but for the agent.
    public static func directed(agent: String) -> Filter {
        var filter = Filter()
        filter.agents = [agent]
        return filter
    }
}
