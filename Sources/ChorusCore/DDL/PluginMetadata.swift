/// The `metadata` block every DDL starts with: who wrote the plugin and how long it may run.
public struct PluginMetadata: Sendable, Hashable {
    /// The plugin's name: the agent name (`rpcutil`) or data plugin name (`fstat`).
    public var name: String
    public var description: String
    public var author: String
    public var license: String
    public var version: String
    /// The plugin's home page.
    public var url: String
    /// Seconds an action may run on a node before it is abandoned (MCollective's `:timeout`).
    public var timeout: Int

    public init(
        name: String, description: String, author: String, license: String, version: String, url: String,
        timeout: Int
    ) {
        self.name = name
        self.description = description
        self.author = author
        self.license = license
        self.version = version
        self.url = url
        self.timeout = timeout
    }
}
