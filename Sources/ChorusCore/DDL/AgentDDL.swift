import RubyMarshal

/// A plugin's interface description: Chorus's JSON replacement for MCollective's Ruby DDL.
///
/// One format describes both agents and data plugins. An agent DDL:
///
/// ```json
/// {
///   "type": "agent",
///   "metadata": {"name": "rpcutil", "description": "…", "author": "…", "license": "…",
///                "version": "1.0", "url": "https://…", "timeout": 10},
///   "actions": [
///     {"name": "get_fact", "description": "…", "display": "always",
///      "inputs": [{"name": "fact", "prompt": "…", "description": "…", "type": "string",
///                  "validation": "^[\\w\\-\\.]+$", "max_length": 40, "optional": false}],
///      "outputs": [{"name": "value", "description": "…", "display_as": "Value", "default": null}],
///      "aggregates": [{"function": "summary", "output": "value"}]}
///   ]
/// }
/// ```
///
/// A data plugin DDL has `"type": "data"` and, instead of `actions`, one `query` object with
/// `description`, an optional `input` (an input without `name`; it is the `query` argument)
/// and `outputs`. Keys are snake_case; unknown keys are load errors. See docs/DDL.md.
public struct AgentDDL: Sendable, Hashable {
    /// What kind of plugin the DDL describes.
    public enum Kind: String, Sendable, Hashable {
        case agent
        case data
    }

    public var kind: Kind
    public var metadata: PluginMetadata
    /// The actions in DDL order; for a data plugin, the single action `query`.
    public var actions: [ActionDDL]

    public init(kind: Kind = .agent, metadata: PluginMetadata, actions: [ActionDDL]) {
        self.kind = kind
        self.metadata = metadata
        self.actions = actions
    }

    /// The plugin's name (`metadata.name`).
    public var name: String { metadata.name }

    /// The action with this name.
    public func action(named name: String) -> ActionDDL? { actions.first { $0.name == name } }

    /// A data plugin's query description (its single action), nil for agents.
    public var dataQuery: ActionDDL? { kind == .data ? action(named: Self.dataQueryName) : nil }

    /// The name under which a data plugin's query and its input are stored.
    public static let dataQueryName = "query"
}
