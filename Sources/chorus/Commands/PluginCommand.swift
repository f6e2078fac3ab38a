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
        abstract: "Document an agent from its DDL, or list every agent when none is named.",
        discussion: """
            Reads the built-in DDLs and those in each libdir's agent/ directory (JSON DDL; see docs/DDL.md).
              chorus plugin doc
              chorus plugin doc rpcutil
            """)

    @Argument(help: "The agent to document.")
    var plugin: String?

    @Option(name: [.short, .long], help: "The client configuration file (for libdir).")
    var config: String?

    func run() async throws {
        do {
            let libdirs = (try? ChorusConfiguration.load(path: try ClientSession.configurationPath(config)).libdirs) ?? []
            let catalog = DDLCatalog(libdirs: libdirs)
            if let plugin {
                print(PluginDocRenderer.render(try catalog.agent(plugin)), terminator: "")
            } else {
                print(PluginDocRenderer.list(try catalog.all()), terminator: "")
            }
        } catch {
            throw CommandFailure.report("plugin doc", error)
        }
    }
}
