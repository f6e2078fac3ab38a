import ChorusCore
import RubyMarshal

/// `mco plugin doc` pages, laid out like MCollective's rpc-help and data-help templates:
/// metadata, then each action (sorted) with its inputs and outputs (sorted), or a data
/// plugin's query input and outputs (sorted).
///
/// Differences from mco, on purpose: a Ruby DDL's `usage` text and `requires` line are not
/// shown (Chorus does not keep them), and a `/…/` regular expression literal shows as its
/// source (`.+`) where Ruby prints `(?-mix:.+)`.
enum PluginDocRenderer {
    static func render(_ ddl: AgentDDL) -> String {
        var text = header(ddl)
        switch ddl.kind {
        case .agent:
            text += "ACTIONS:\n========\n"
            let actions = ddl.actions.sorted { $0.name < $1.name }
            text += "   " + actions.map(\.name).joined(separator: ", ") + "\n\n"
            for action in actions { text += self.action(action) }
        case .data:
            let query = ddl.dataQuery
            text += "QUERY FUNCTION INPUT:\n\n"
            if let input = query?.inputs.first {
                // data-help.erb has no "Optional" line.
                text += inputDetails(input, showOptional: false)
            } else {
                text += "    This plugin does not take any input\n"
            }
            text += "\nQUERY FUNCTION OUTPUT:\n\n"
            for output in (query?.outputs ?? []).sorted(by: { $0.name < $1.name }) {
                text += "           \(output.name):\n" + outputDetails(output) + "\n"
            }
        }
        return text
    }

    /// `plugin doc` without a name, laid out as mco's: each section's plugins as
    /// `"  %-25s %s"`, a blank line after each section, then the DDLs that failed to load.
    static func list(_ listing: PluginListing) -> String {
        var text = "Please specify a plugin. Available plugins are:\n\n"
        for (title, plugins) in [("Agents", listing.agents), ("Data Queries", listing.data)] {
            text += "\(title):\n"
            for plugin in plugins.sorted(by: { $0.name < $1.name }) {
                text += "  " + TextLayout.padRight(plugin.name, 25) + " " + plugin.description + "\n"
            }
            text += "\n"
        }
        if !listing.errors.isEmpty {
            text += "Plugin Load Errors:\n"
            for error in listing.errors {
                text += "  " + TextLayout.padRight(error.plugin, 25) + " " + error.message + "\n"
            }
        }
        return text
    }

    private static func header(_ ddl: AgentDDL) -> String {
        let meta = ddl.metadata
        return """
            \(meta.name)
            \(String(repeating: "=", count: meta.name.unicodeScalars.count))

            \(meta.description)

                  Author: \(meta.author)
                 Version: \(meta.version)
                 License: \(meta.license)
                 Timeout: \(meta.timeout)
               Home Page: \(meta.url)


            """
    }

    private static func action(_ action: ActionDDL) -> String {
        var text = "   \(action.name) action:\n"
        text += "   " + String(repeating: "-", count: action.name.unicodeScalars.count + 8) + "\n"
        text += "       \(action.description)\n\n"
        text += "       INPUT:\n"
        if action.inputs.isEmpty {
            text += "          This action does not have any inputs\n"
        } else {
            for input in action.inputs.sorted(by: { $0.name < $1.name }) {
                text += "           \(input.name):\n" + inputDetails(input) + "\n"
            }
        }
        text += "\n       OUTPUT:\n"
        for output in action.outputs.sorted(by: { $0.name < $1.name }) {
            text += "           \(output.name):\n" + outputDetails(output) + "\n"
        }
        return text
    }

    private static func inputDetails(_ input: InputDDL, showOptional: Bool = true) -> String {
        var text = "              Description: \(input.description)\n"
        text += "                   Prompt: \(input.prompt)\n"
        text += "                     Type: \(input.type.name)\n"
        if showOptional { text += "                 Optional: \(input.optional)\n" }
        switch input.type {
        case .string:
            text += "               Validation: \(input.validation?.source ?? "")\n"
            text += "                   Length: \(input.maxLength)\n"
        case .list(let values):
            text += "             Valid Values: \(values.map(\.rubyText).joined(separator: ", "))\n"
        default:
            break
        }
        if let value = input.default, value.isTruthy {
            text += "            Default Value: \(value.rubyText)\n"
        }
        return text
    }

    private static func outputDetails(_ output: OutputDDL) -> String {
        var text = "              Description: \(output.description)\n"
        text += "               Display As: \(output.displayAs)\n"
        if let value = output.default, value.isTruthy {
            text += "            Default Value: \(value.rubyText)\n"
        }
        return text
    }
}
