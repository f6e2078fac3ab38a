import ChorusCore
import Foundation
import RubyMarshal
import Testing

/// Every `.ddl` file Debian's mcollective 2.12.5 ships, read with the Ruby DDL reader.
///
/// The rule for which files must load: MCollective's plugin type is the directory a DDL sits
/// in (`agent/`, `data/`, `aggregate/`, …). Agent and data DDLs describe an interface and
/// must all load; every other type only carries metadata (and `discovery do … end`), and must
/// be refused with the reader's "agent and data plugin DDLs only" error, never a syntax error.
@Suite("Ruby DDL: MCollective's own DDL files")
struct RubyDDLDebianTests {
    static let root = "/usr/lib/ruby/vendor_ruby/mcollective"
    /// The oracle's copy (../shared/oracle beside the repository), which must equal Debian's.
    static let oracleRPCUtil: String = {
        var parts = #filePath.split(separator: "/", omittingEmptySubsequences: false)
        parts.removeLast(3)
        return parts.joined(separator: "/") + "/../shared/oracle/rpcutil.ddl"
    }()

    /// Every shipped `.ddl`, as (plugin type, path), sorted by path.
    static func shippedDDLs() throws -> [(type: String, path: String)] {
        try #require(
            FileManager.default.fileExists(atPath: root + "/agent/rpcutil.ddl"),
            "MCollective's DDL files are missing under \(root): run scripts/interop/install.sh (installs Debian's mcollective)")
        let enumerator = try #require(FileManager.default.enumerator(atPath: root))
        var found: [(String, String)] = []
        while let relative = enumerator.nextObject() as? String {
            guard relative.hasSuffix(".ddl") else { continue }
            let parts = relative.split(separator: "/")
            found.append((parts.count > 1 ? String(parts[parts.count - 2]) : "", root + "/" + relative))
        }
        return found.sorted { $0.1 < $1.1 }
    }

    @Test("every agent and data DDL Debian ships loads, with the kind of its directory")
    func agentAndDataDDLsLoad() throws {
        let files = try Self.shippedDDLs().filter { $0.type == "agent" || $0.type == "data" }
        #expect(files.filter { $0.type == "agent" }.count >= 1)
        #expect(files.filter { $0.type == "data" }.count >= 4)
        for (type, path) in files {
            let ddl = try AgentDDL.load(contentsOf: path)
            #expect(ddl.kind == (type == "agent" ? .agent : .data), "\(path)")
            #expect(!ddl.metadata.name.isEmpty && ddl.metadata.timeout > 0, "\(path)")
            #expect(ddl.actions.allSatisfy { !$0.outputs.isEmpty || $0.name == "get_data" }, "\(path)")
        }
    }

    @Test("every other DDL (aggregate, connector, discovery, validator) is refused as not an agent or data DDL")
    func otherDDLsAreRefusedClearly() throws {
        let files = try Self.shippedDDLs().filter { $0.type != "agent" && $0.type != "data" }
        #expect(Set(files.map(\.type)) == ["aggregate", "connector", "discovery", "validator"])
        for (type, path) in files {
            #expect {
                _ = try AgentDDL.load(contentsOf: path)
            } throws: { error in
                guard let error = error as? DDLLoadError else { return false }
                let expected = type == "discovery" ? "this is a discovery plugin's DDL" : "declares no action and no dataquery"
                return error.file == path && error.message.contains(expected)
                    && error.message.contains("Chorus reads agent and data plugin DDLs only")
            }
        }
    }

    @Test("the oracle's rpcutil.ddl is Debian's, and reads action by action as MCollective declares it")
    func rpcutilInDetail() throws {
        try #require(FileManager.default.fileExists(atPath: Self.oracleRPCUtil), "the oracle's rpcutil.ddl is missing: \(Self.oracleRPCUtil)")
        let text = try String(contentsOfFile: Self.oracleRPCUtil, encoding: .utf8)
        #expect(text == (try String(contentsOfFile: Self.root + "/agent/rpcutil.ddl", encoding: .utf8)))
        let ddl = try AgentDDL.load(rubyDDL: text, file: Self.oracleRPCUtil)
        #expect(ddl.kind == .agent)
        #expect(
            ddl.metadata
                == PluginMetadata(
                    name: "rpcutil",
                    description: "General helpful actions that expose stats and internals to SimpleRPC clients",
                    author: "R.I.Pienaar <rip@devco.net>", license: "Apache License, Version 2.0", version: "1.0",
                    url: "https://docs.puppetlabs.com/mcollective/", timeout: 10))
        #expect(
            ddl.actions.map(\.name) == [
                "collective_info", "inventory", "get_fact", "get_facts", "daemon_stats", "agent_inventory", "get_config_item",
                "get_data", "ping",
            ])
        #expect(ddl.actions.allSatisfy { $0.display == .always })

        let getFact = try #require(ddl.action(named: "get_fact"))
        #expect(
            getFact.inputs == [
                InputDDL(
                    name: "fact", prompt: "The name of the fact", description: "The fact to retrieve", type: .string,
                    validation: .pattern(try RubyPattern(#"^[\w\-\.]+$"#)), maxLength: 40, optional: false)
            ])
        #expect(getFact.outputs.map(\.name) == ["fact", "value"])
        #expect(getFact.outputs.map(\.displayAs) == ["Fact", "Value"])
        #expect(getFact.aggregates == [AggregateSpec(function: .summary, output: "value")])

        let getData = try #require(ddl.action(named: "get_data"))
        #expect(getData.inputs.map(\.name) == ["source", "query"])
        #expect(getData.inputs.map(\.optional) == [false, true])
        #expect(getData.inputs.map(\.maxLength) == [50, 200])
        #expect(getData.outputs.isEmpty)

        let stats = try #require(ddl.action(named: "daemon_stats"))
        #expect(stats.outputs.count == 14)
        #expect(stats.aggregates.map(\.output) == ["version", "agents"])
        #expect(ddl.action(named: "get_facts")?.inputs.first?.validation?.source == #"^\s*[\w\.\-]+(\s*,\s*[\w\.\-]+)*$"#)
    }

    @Test("the data DDLs: literal regexes, the each-loop of agent_data.ddl, outputs in file order")
    func dataDDLsInDetail() throws {
        let fstat = try AgentDDL.load(contentsOf: Self.root + "/data/fstat_data.ddl")
        #expect(fstat.metadata.name == "File Stat")
        let query = try #require(fstat.dataQuery)
        #expect(query.description == "File stat information")
        #expect(query.inputs.map(\.name) == ["query"])
        #expect(query.inputs.first?.validation == .pattern(try RubyPattern(".+")))
        #expect(query.inputs.first?.maxLength == 120)
        #expect(query.outputs.first?.name == "name" && query.outputs.last?.name == "type")
        #expect(query.outputs.count == 18)

        // agent_data.ddl builds its outputs in a loop:
        // [:license, …].each do |item| output item, :description => "Agent #{item}", :display_as => item.to_s.capitalize end
        let agent = try AgentDDL.load(contentsOf: Self.root + "/data/agent_data.ddl")
        let outputs = try #require(agent.dataQuery?.outputs)
        #expect(outputs.map(\.name) == ["license", "timeout", "description", "url", "version", "author"])
        #expect(outputs.map(\.description) == outputs.map { "Agent \($0.name)" })
        #expect(outputs.map(\.displayAs) == ["License", "Timeout", "Description", "Url", "Version", "Author"])
        #expect(agent.dataQuery?.inputs.first?.validation?.failure(for: "rpcutil") == nil)
        #expect(agent.dataQuery?.inputs.first?.validation?.failure(for: "rpc util") != nil)
    }

    /// Chorus's built-in data plugins were written after these files: the query each one
    /// answers must be the one MCollective's DDL describes (the plugin name differs on
    /// purpose: Chorus names a plugin by its id, `fstat`; MCollective's metadata says "File Stat").
    @Test("the built-in data plugins declare the queries Debian's data DDLs declare")
    func builtinDataPluginsMatchDebian() throws {
        let builtins: [(String, AgentDDL)] = [
            ("fstat", FstatData.ddl), ("agent", AgentDataPlugin().ddl), ("fact", FactDataPlugin().ddl),
            ("collective", CollectiveDataPlugin().ddl),
        ]
        for (name, builtin) in builtins {
            let debian = try AgentDDL.load(contentsOf: Self.root + "/data/\(name)_data.ddl")
            #expect(debian.metadata.description == builtin.metadata.description, "\(name)")
            #expect(debian.metadata.timeout == builtin.metadata.timeout, "\(name)")
            let ours = try #require(builtin.dataQuery)
            let theirs = try #require(debian.dataQuery)
            #expect(theirs.description == ours.description, "\(name)")
            #expect(theirs.inputs == ours.inputs, "\(name)")
            #expect(theirs.outputs == ours.outputs, "\(name)")
        }
    }
}
