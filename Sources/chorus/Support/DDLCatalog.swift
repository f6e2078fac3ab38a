import ChorusAgents
import ChorusCore
import ChorusServer
import Foundation

/// Finds the DDLs a client validates and documents with: the built-in ones first, then the
/// files in each `libdir`, in order.
///
/// Agents: `<libdir>/agent/<name>.json`, `<libdir>/agent/<name>.ddl` (JSON first when both
/// exist) and `<libdir>/mcollective/agent/<name>.ddl` (MCollective's layout). Data plugins:
/// `<libdir>/data/<name>.json`, `<libdir>/data/<name>.ddl`, `<libdir>/data/<name>_data.ddl`,
/// `<libdir>/mcollective/data/<name>_data.ddl` and `<libdir>/mcollective/data/<name>.ddl`.
/// `.ddl` files are MCollective's Ruby DDLs, read without running them (docs/DDL.md).
struct DDLCatalog {
    let libdirs: [String]

    /// The DDL of the agent `name`.
    func agent(_ name: String) throws -> AgentDDL {
        if let ddl = try findAgent(name) { return ddl }
        throw ValidationFailure("Can't find DDL for agent plugin '\(name)'")
    }

    /// The agent's DDL, nil when there is none.
    func findAgent(_ name: String) throws -> AgentDDL? {
        try Self.checkName(name)
        if let builtin = try BuiltinDDL.named(name) { return builtin }
        return try firstFile(agentPaths(name)).map(AgentDDL.load(contentsOf:))
    }

    /// The DDL of the data plugin `name` (`fstat`), nil when there is none.
    func findDataPlugin(_ name: String) throws -> AgentDDL? {
        try Self.checkName(name)
        let builtin = Self.builtinDataPlugins().first { $0.name == name }
        if let ddl = builtin?.ddl { return ddl }
        if let path = firstFile(dataPaths(name)) { return try AgentDDL.load(contentsOf: path) }
        if builtin != nil {
            throw ValidationFailure(
                "the data plugin \(name) is built into the node, but this client has no DDL for it: put its DDL in <libdir>/data/\(name).json")
        }
        return nil
    }

    /// Whether the agent `name` has a DDL here (built in or a libdir file), loadable or not.
    func hasAgent(_ name: String) -> Bool {
        (try? Self.checkName(name)) != nil && (BuiltinDDL.names.contains(name) || firstFile(agentPaths(name)) != nil)
    }

    /// Whether there is a data plugin `name` (built in or a libdir file).
    func hasDataPlugin(_ name: String) -> Bool {
        (try? Self.checkName(name)) != nil
            && (Self.builtinDataPlugins().contains { $0.name == name } || firstFile(dataPaths(name)) != nil)
    }

    /// Every agent and data plugin this client can see, with the libdir DDLs that fail to load.
    func listing() -> PluginListing {
        var listing = PluginListing()
        var seen: Set<String> = []
        func add(_ kind: AgentDDL.Kind, _ name: String, _ description: String) {
            guard seen.insert("\(kind.rawValue)/\(name)").inserted else { return }
            listing.append(kind, name: name, description: description)
        }
        for name in BuiltinDDL.names {
            do {
                if let ddl = try BuiltinDDL.named(name) { add(.agent, name, ddl.metadata.description) }
            } catch {
                listing.errors.append(.init(plugin: "agent/\(name)", message: "\(error)"))
            }
        }
        for plugin in Self.builtinDataPlugins() { add(.data, plugin.name, plugin.description) }
        for file in libdirFiles() where !seen.contains("\(file.kind.rawValue)/\(file.name)") {
            do {
                add(file.kind, file.name, try AgentDDL.load(contentsOf: file.path).metadata.description)
            } catch {
                listing.errors.append(.init(plugin: "\(file.kind.rawValue)/\((file.path as NSString).lastPathComponent)", message: "\(error)"))
            }
        }
        return listing
    }

    // MARK: - Where DDLs live

    /// A built-in data plugin: the node's own (fstat, fact, agent, collective) and those that
    /// come with the built-in agents. The latter reach clients without their DDL.
    struct BuiltinDataPlugin {
        var name: String
        var description: String
        var ddl: AgentDDL?
    }

    static func builtinDataPlugins() -> [BuiltinDataPlugin] {
        BuiltinDataPlugins.plugins(digest: nil).map { BuiltinDataPlugin(name: $0.name, description: $0.ddl.metadata.description, ddl: $0.ddl) }
            + BuiltinAgents.dataPlugins().map { BuiltinDataPlugin(name: $0.name, description: $0.description, ddl: $0.ddl) }
    }

    func agentPaths(_ name: String) -> [String] {
        libdirs.flatMap { ["\($0)/agent/\(name).json", "\($0)/agent/\(name).ddl", "\($0)/mcollective/agent/\(name).ddl"] }
    }

    func dataPaths(_ name: String) -> [String] {
        libdirs.flatMap {
            [
                "\($0)/data/\(name).json", "\($0)/data/\(name).ddl", "\($0)/data/\(name)_data.ddl",
                "\($0)/mcollective/data/\(name)_data.ddl", "\($0)/mcollective/data/\(name).ddl",
            ]
        }
    }

    private func firstFile(_ paths: [String]) -> String? {
        paths.first { FileManager.default.fileExists(atPath: $0) }
    }

    /// The DDL files in the libdirs, in lookup order: (kind, plugin name, path).
    private func libdirFiles() -> [(kind: AgentDDL.Kind, name: String, path: String)] {
        var files: [(AgentDDL.Kind, String, String)] = []
        for dir in libdirs {
            let places: [(AgentDDL.Kind, String, [String])] = [
                (.agent, "\(dir)/agent", [".json", ".ddl"]), (.agent, "\(dir)/mcollective/agent", [".ddl"]),
                (.data, "\(dir)/data", [".json", ".ddl"]), (.data, "\(dir)/mcollective/data", [".ddl"]),
            ]
            for (kind, directory, extensions) in places {
                let names = ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []).sorted()
                for ext in extensions {
                    for file in names where file.hasSuffix(ext) {
                        var name = String(file.dropLast(ext.count))
                        if kind == .data && ext == ".ddl" && name.hasSuffix("_data") { name = String(name.dropLast(5)) }
                        files.append((kind, name, "\(directory)/\(file)"))
                    }
                }
            }
        }
        return files
    }

    /// Plugin names are file names: letters, digits, `_` and `-` only.
    private static func checkName(_ name: String) throws {
        let allowed = name.unicodeScalars.allSatisfy { ("a"..."z").contains($0) || ("A"..."Z").contains($0) || ("0"..."9").contains($0) || $0 == "_" || $0 == "-" }
        guard !name.isEmpty, allowed else {
            throw ValidationFailure("'\(name)' is not a plugin name: use letters, digits, _ and - (e.g. rpcutil or data/fstat)")
        }
    }
}

/// What `chorus plugin doc` lists: agents and data plugins with their descriptions, and the
/// DDL files that could not be loaded.
struct PluginListing: Equatable {
    struct Plugin: Equatable {
        var name: String
        var description: String
    }

    struct LoadError: Equatable {
        /// `agent/<file>` or `data/<file>`, as mco prints it.
        var plugin: String
        var message: String
    }

    var agents: [Plugin] = []
    var data: [Plugin] = []
    var errors: [LoadError] = []

    mutating func append(_ kind: AgentDDL.Kind, name: String, description: String) {
        switch kind {
        case .agent: agents.append(Plugin(name: name, description: description))
        case .data: data.append(Plugin(name: name, description: description))
        }
    }
}
