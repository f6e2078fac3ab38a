import ChorusCore
import Foundation
import RubyMarshal
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

    // MARK: - Ruby DDLs, data plugins and the listing

    static let debian = "/usr/lib/ruby/vendor_ruby/mcollective"

    static func debianDDL(_ relative: String) throws -> AgentDDL {
        try #require(
            FileManager.default.fileExists(atPath: debian + "/" + relative),
            "\(debian)/\(relative) is missing: run scripts/interop/install.sh (installs Debian's mcollective)")
        return try AgentDDL.load(contentsOf: debian + "/" + relative)
    }

    /// MCollective's own rpcutil.ddl, read by the Ruby DDL reader, gives mco's page exactly:
    /// the prose is MCollective's here, so nothing is masked.
    @Test func debianRPCUtilDDLGivesMcosPageByteForByte() throws {
        let page = PluginDocRenderer.render(try Self.debianDDL("agent/rpcutil.ddl"))
        let oracle = try OracleOutput("plugin_doc_rpcutil").printed(removing: [OracleOutput.rubyWarning])
        expectSameBytes(page, oracle, "plugin doc of Debian's rpcutil.ddl")
    }

    /// Tests/Fixtures/cli_outputs/plugin_doc_data_fstat.txt was recorded once from the real
    /// `mco plugin doc data/fstat` (MCollective 2.12.5, Debian). The page of Debian's
    /// fstat_data.ddl differs in one line: MCollective prints the `/.+/` literal as Ruby's
    /// `Regexp#to_s`, `(?-mix:.+)`, Chorus as its source. Chorus's built-in fstat DDL also
    /// names the plugin by its id, `fstat`, where MCollective's metadata says "File Stat".
    @Test func dataPluginPagesHaveMcoLayout() throws {
        let oracle = try OracleOutput("plugin_doc_data_fstat").printed(removing: [OracleOutput.rubyWarning])
        #expect(oracle.contains("               Validation: (?-mix:.+)\n"))
        let literalShownAsSource = oracle.replacingOccurrences(of: "Validation: (?-mix:.+)", with: "Validation: .+")

        let debianPage = PluginDocRenderer.render(try Self.debianDDL("data/fstat_data.ddl"))
        expectSameBytes(debianPage, literalShownAsSource, "plugin doc of Debian's fstat_data.ddl")

        let builtinPage = PluginDocRenderer.render(FstatData.ddl)
        let titledByID = literalShownAsSource.replacingOccurrences(of: "File Stat\n=========\n", with: "fstat\n=====\n")
        expectSameBytes(builtinPage, titledByID, "plugin doc of the built-in fstat")
        #expect(!builtinPage.contains("Optional:"), "data-help.erb has no Optional line")
    }

    /// The listing of the plugins Debian ships, laid out as mco lays it out: the Agents and
    /// Data Queries sections of the recorded `mco plugin doc` are the same bytes. (mco also
    /// lists aggregate, connector, discovery and validator plugins; Chorus has no DDLs for those.)
    @Test func listingHasMcoLayout() throws {
        var listing = PluginListing()
        let rpcutil = try Self.debianDDL("agent/rpcutil.ddl")
        listing.append(.agent, name: "rpcutil", description: rpcutil.metadata.description)
        for name in ["fstat", "agent", "fact", "collective"] {
            listing.append(.data, name: name, description: try Self.debianDDL("data/\(name)_data.ddl").metadata.description)
        }
        let page = PluginDocRenderer.list(listing)
        let oracle = try OracleOutput("plugin_doc_list").printed(removing: [OracleOutput.rubyWarning])
        let sections = oracle.components(separatedBy: "\n\n")
        let header = try #require(sections.first)
        let agents = try #require(sections.first { $0.hasPrefix("Agents:\n") })
        let data = try #require(sections.first { $0.hasPrefix("Data Queries:\n") })
        expectSameBytes(page, [header, agents, data].joined(separator: "\n\n") + "\n\n", "plugin doc listing")
    }

    @Test func listingShowsLoadErrorsAfterTheSections() {
        var listing = PluginListing()
        listing.errors.append(.init(plugin: "agent/broken.ddl", message: "broken.ddl: line 2, column 1: unexpected 'if'"))
        #expect(
            PluginDocRenderer.list(listing)
                == """
                Please specify a plugin. Available plugins are:

                Agents:

                Data Queries:

                Plugin Load Errors:
                  agent/broken.ddl          broken.ddl: line 2, column 1: unexpected 'if'

                """)
    }

    /// `plugin doc --json` writes a JSON DDL that loads back into the same DDL, so it converts
    /// Ruby DDLs: every agent and data DDL Debian ships survives the round trip.
    @Test func jsonDocumentRoundTrips() throws {
        for relative in ["agent/rpcutil.ddl", "data/fstat_data.ddl", "data/agent_data.ddl", "data/fact_data.ddl", "data/collective_data.ddl"] {
            let ddl = try Self.debianDDL(relative)
            let json = PluginDocJSON.document(ddl).jsonString(pretty: true)
            #expect(try AgentDDL.load(json: json) == ddl, "\(relative)")
        }
        // A Ruby regex that is a bare word is not a validator name in JSON.
        let ddl = try AgentDDL.load(rubyDDL: """
            metadata :name => "w", :description => "d", :author => "a", :license => "l", :version => "1", :url => "u", :timeout => 1
            action "a", :description => "d" do
                input :x, :prompt => "p", :description => "d", :type => :string, :validation => 'shellsafe', :maxlength => 0, :optional => true
                input :y, :prompt => "p", :description => "d", :type => :string, :validation => :shellsafe, :maxlength => 5, :optional => true
            end
            """)
        let json = PluginDocJSON.document(ddl).jsonString()
        #expect(json.contains(#""validation":"(?:shellsafe)""#) && json.contains(#""validation":"shellsafe""#))
        let back = try AgentDDL.load(json: json)
        #expect(back.actions[0].inputs[0].validation?.failure(for: "shellsafe") == nil)
        #expect(back.actions[0].inputs[0].validation?.failure(for: "x;y") != nil)
        #expect(back.actions[0].inputs[1] == ddl.actions[0].inputs[1])
    }

    @Test("every built-in data plugin, the agents' puppet() and resource() included, has a DDL to document")
    func builtinDataPluginsHaveDDLs() throws {
        let catalog = DDLCatalog(libdirs: [])
        for name in ["fstat", "fact", "agent", "collective", "puppet", "resource"] {
            let ddl = try #require(try catalog.findDataPlugin(name), "\(name)")
            #expect(ddl.name == name)
            #expect(ddl.dataQuery?.outputs.isEmpty == false, "\(name) has no outputs")
        }
    }
}
