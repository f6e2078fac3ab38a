import Testing

@testable import chorus

/// `mco plugin doc rpcutil` (the rpc-help template). Chorus's rpcutil DDL is its own writing:
/// the author and every description and prompt are worded differently from MCollective's
/// rpcutil.ddl, so the page cannot match byte for byte. Everything else must: the layout,
/// the order of actions, inputs and outputs, names, types, validation, lengths, display
/// names, timeout, version, licence and home page. The test blanks out the prose on both
/// sides and compares the rest byte for byte.
@Suite("mco plugin doc output")
struct PluginDocRenderingTests {
    /// The page with its prose replaced by "…": the agent's description (the line after the
    /// title's underline and a blank line), each action's description (the line after its
    /// dashes), and the values of Author, Description and Prompt.
    static func withoutProse(_ page: String) -> String {
        var lines = page.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        for index in lines.indices {
            let line = lines[index]
            let indent = String(line.prefix { $0 == " " })
            let body = line.dropFirst(indent.count)
            for label in ["Author: ", "Description: ", "Prompt: "] where body.hasPrefix(label) {
                lines[index] = indent + label + "…"
            }
            guard index + 1 < lines.count, !body.isEmpty else { continue }
            if body.allSatisfy({ $0 == "-" }) {
                let next = lines[index + 1]
                lines[index + 1] = String(next.prefix { $0 == " " }) + "…"
            } else if body.allSatisfy({ $0 == "=" }), index == 1, index + 2 < lines.count {
                lines[index + 2] = "…"
            }
        }
        return lines.joined(separator: "\n")
    }

    @Test func rpcutilPageHasMcoLayout() throws {
        let page = PluginDocRenderer.render(try RPCPrinting.rpcutil())
        let oracle = try OracleOutput("plugin_doc_rpcutil").printed(removing: [OracleOutput.rubyWarning])
        expectSameBytes(Self.withoutProse(page), Self.withoutProse(oracle), "plugin_doc_rpcutil without prose")
        // The masking must leave the structure to compare: every action and output name.
        #expect(Self.withoutProse(page).contains("   get_config_item action:\n   -----------------------\n       …\n"))
        #expect(Self.withoutProse(page).contains("           pong:\n              Description: …\n               Display As: Timestamp\n"))
    }
}
