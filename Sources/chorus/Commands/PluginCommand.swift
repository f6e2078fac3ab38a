import ArgumentParser
import ChorusCore
import Foundation

struct PluginCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plugin",
        abstract: "Show documentation for agents and data plugins.",
        subcommands: [PluginDocCommand.self])
}

struct PluginDocCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "doc",
        abstract: "Document an agent or data plugin from its DDL, or list them all when none is named.",
        discussion: """
            Reads the built-in DDLs, then the DDL files in each libdir of the client configuration: \
            <libdir>/agent/NAME.json or NAME.ddl and <libdir>/mcollective/agent/NAME.ddl (MCollective's \
            layout) for agents; <libdir>/data/NAME.json, NAME.ddl or NAME_data.ddl and \
            <libdir>/mcollective/data/NAME_data.ddl for data plugins. A .ddl file is one of MCollective's \
            Ruby DDLs, read without running it (docs/DDL.md, "Ruby DDL files and validators").

            Examples:
              chorus plugin doc                      every agent and data plugin
              chorus plugin doc rpcutil              an agent (or: agent/rpcutil)
              chorus plugin doc data/fstat           a data plugin (or: fstat)
              chorus plugin doc agent/NAME --json    the DDL as a JSON DDL

            Exit codes: 0 documented or listed; 1 no such plugin, a name both an agent and a data plugin \
            have (write agent/NAME or data/NAME), or a DDL that cannot be loaded (the message names the \
            file, line and column).
            """)

    @Argument(help: "The plugin: NAME, agent/NAME or data/NAME.")
    var plugin: String?

    @Option(name: [.short, .long], help: "The client configuration file (for libdir).")
    var config: String?

    @Flag(help: "Print the DDL as a JSON DDL document, or the listing as JSON.")
    var json = false

    func run() async throws {
        do {
            let catalog = DDLCatalog(libdirs: try libdirs())
            guard let plugin else {
                let listing = catalog.listing()
                if json {
                    print(PluginDocJSON.listing(listing).jsonString(pretty: true))
                } else {
                    print(PluginDocRenderer.list(listing), terminator: "")
                }
                return
            }
            let ddl = try Self.find(plugin, in: catalog)
            if json {
                print(PluginDocJSON.document(ddl).jsonString(pretty: true))
            } else {
                print(PluginDocRenderer.render(ddl), terminator: "")
            }
        } catch {
            throw CommandFailure.report("plugin doc", error)
        }
    }

    /// The libdirs of the configuration: `-c` must load; without it, a missing or broken
    /// default configuration just means no libdirs.
    private func libdirs() throws -> [String] {
        if let config { return try ChorusConfiguration.load(path: config).libdirs }
        return (try? ChorusConfiguration.load(path: try ClientSession.configurationPath(nil)).libdirs) ?? []
    }

    /// mco's lookup: `type/name`, or a bare name that only one plugin type has.
    static func find(_ target: String, in catalog: DDLCatalog) throws -> AgentDDL {
        if let slash = target.firstIndex(of: "/") {
            let type = String(target[..<slash])
            let name = String(target[target.index(after: slash)...])
            let found: AgentDDL?
            switch type {
            case "agent": found = try catalog.findAgent(name)
            case "data": found = try catalog.findDataPlugin(name)
            default:
                throw ValidationFailure("Could not find a '\(type)' plugin named '\(name)': Chorus documents agent and data plugins (agent/NAME, data/NAME)")
            }
            guard let found else { throw ValidationFailure("Could not find a '\(type)' plugin named '\(name)'") }
            return found
        }
        switch (catalog.hasAgent(target), catalog.hasDataPlugin(target)) {
        case (true, true):
            throw ValidationFailure("Duplicate plugin name found, please specify a full path like agent/\(target) or data/\(target)")
        case (true, false):
            return try catalog.agent(target)
        case (false, true):
            if let ddl = try catalog.findDataPlugin(target) { return ddl }
        case (false, false):
            break
        }
        throw ValidationFailure("Could not find a plugin named '\(target)' in any supported plugin type")
    }
}
