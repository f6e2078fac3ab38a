import ChorusCore
import ChorusTestSupport
import Foundation
import Testing

extension EndToEnd {
    /// `chorus plugin doc` and `chorus rpc` with MCollective's Ruby DDLs dropped into a libdir,
    /// run as real `chorus` processes; data plugins documented as mco documents them.
    @Suite("Plugin documentation and Ruby DDLs, end to end")
    struct PluginDocTests {
        /// An agent written as an MCollective Ruby DDL.
        static let greeterDDL = """
            metadata :name        => "greeter",
                     :description => "Greets people",
                     :author      => "Ops <ops@example.com>",
                     :license     => "ASL 2.0",
                     :version     => "1.0",
                     :url         => "https://example.com/greeter",
                     :timeout     => 5

            action "greet", :description => "Says hello" do
                display :always
                input :name,
                      :prompt      => "Name",
                      :description => "Who to greet",
                      :type        => :string,
                      :validation  => :shellsafe,
                      :optional    => false,
                      :maxlength   => 20
                output :greeting, :description => "The greeting", :display_as => "Greeting"
            end

            """

        /// A temporary libdir in MCollective's layout and a client configuration naming it.
        struct Libdir {
            let directory: URL
            let config: String

            init(fleet: Fleet? = nil) throws {
                directory = FileManager.default.temporaryDirectory.appendingPathComponent("chorus-libdir-\(UUID().uuidString.prefix(8))")
                for sub in ["mcollective/agent", "mcollective/data", "agent"] {
                    try FileManager.default.createDirectory(at: directory.appendingPathComponent(sub), withIntermediateDirectories: true)
                }
                config = directory.appendingPathComponent("client.cfg").path
                if let fleet {
                    try fleet.writeClientConfig(identity: "docclient", path: config, extra: ["libdir = \(directory.path)"])
                } else {
                    try "libdir = \(directory.path)\nlogger_type = console\nloglevel = warn\n".write(toFile: config, atomically: true, encoding: .utf8)
                }
            }

            func write(_ text: String, to relative: String) throws {
                try text.write(to: directory.appendingPathComponent(relative), atomically: true, encoding: .utf8)
            }

            func remove() { try? FileManager.default.removeItem(at: directory) }
        }

        @Test("plugin doc documents a Ruby DDL from <libdir>/mcollective/agent, lists it, and reports broken DDLs with line and column")
        func rubyAgentDDL() async throws {
            let libdir = try Libdir()
            defer { libdir.remove() }
            try libdir.write(Self.greeterDDL, to: "mcollective/agent/greeter.ddl")
            try libdir.write("metadata :name => \"broken\"\nif true\nend\n", to: "agent/broken.ddl")

            let page = try await CommandResult.run(["plugin", "doc", "greeter", "-c", libdir.config])
            #expect(page.status == 0, "\(page.stderr)")
            #expect(page.stdout.hasPrefix("greeter\n=======\n\nGreets people\n"))
            #expect(page.stdout.contains("   greet action:\n   -------------\n       Says hello\n"))
            #expect(page.stdout.contains("           name:\n              Description: Who to greet\n                   Prompt: Name\n                     Type: string\n                 Optional: false\n               Validation: shellsafe\n                   Length: 20\n"))
            #expect(page.stdout.contains("           greeting:\n              Description: The greeting\n               Display As: Greeting\n"))
            let sameByType = try await CommandResult.run(["plugin", "doc", "agent/greeter", "-c", libdir.config])
            #expect(sameByType.stdout == page.stdout)

            let list = try await CommandResult.run(["plugin", "doc", "-c", libdir.config])
            #expect(list.status == 0, "\(list.stderr)")
            #expect(list.stdout.contains("\n  greeter                   Greets people\n"))
            #expect(list.stdout.contains("\n  rpcutil                   "))
            #expect(list.stdout.contains("Data Queries:\n  agent                     Meta data about installed MColletive Agents\n"))
            #expect(list.stdout.contains("Plugin Load Errors:\n  agent/broken.ddl          \(libdir.directory.path)/agent/broken.ddl: line 2, column 1: 'if' is Ruby control flow"))

            let broken = try await CommandResult.run(["plugin", "doc", "broken", "-c", libdir.config])
            #expect(broken.status == 1)
            #expect(broken.stdout.isEmpty)
            #expect(broken.stderr.contains("broken.ddl: line 2, column 1: 'if' is Ruby control flow"))

            let json = try await CommandResult.run(["plugin", "doc", "greeter", "--json", "-c", libdir.config])
            #expect(json.status == 0)
            let converted = try AgentDDL.load(json: json.stdout)
            #expect(converted == (try AgentDDL.load(rubyDDL: Self.greeterDDL)))
        }

        @Test("rpc validates arguments against a Ruby DDL before anything is sent")
        func rubyDDLValidatesBeforeSending() async throws {
            let fleet = try await SharedFleet.shared.get()
            let libdir = try Libdir(fleet: fleet)
            defer { libdir.remove() }
            try libdir.write(Self.greeterDDL, to: "mcollective/agent/greeter.ddl")

            let unsafe = try await fleet.chorus(["rpc", "greeter", "greet", "name=bob;reboot"], config: libdir.config)
            #expect(unsafe.status == 1)
            #expect(unsafe.stderr.contains("Cannot validate input name: value should not have ; in it"), "\(unsafe.stderr)")
            #expect(!unsafe.stderr.contains("Discovering hosts"), "validation must fail before discovery")

            let tooLong = try await fleet.chorus(["rpc", "greeter", "greet", "name=\(String(repeating: "a", count: 21))"], config: libdir.config)
            #expect(tooLong.status == 1)
            #expect(tooLong.stderr.contains("Cannot validate input name: Input string is longer than 20 character(s)"))

            let missing = try await fleet.chorus(["rpc", "greeter", "greet"], config: libdir.config)
            #expect(missing.status == 1)
            #expect(missing.stderr.contains("Action greet needs a name argument"))

            let undeclared = try await fleet.chorus(["rpc", "greeter", "wave", "name=bob"], config: libdir.config)
            #expect(undeclared.stderr.contains("Attempted to call action wave for greeter but it's not declared in the DDL"))

            // Valid input passes the DDL and goes on to discovery (no node has the agent).
            let valid = try await fleet.chorus(["rpc", "greeter", "greet", "name=bob"], config: libdir.config)
            #expect(valid.stderr.contains("Discovering hosts using the mc method"), "\(valid.stderr)")
            #expect(valid.stdout.contains("No request sent, we did not discover any nodes."))
        }

        @Test("plugin doc data/fstat is mco's page of fstat; bare names, duplicates and unknown plugins as mco resolves them")
        func dataPlugins() async throws {
            let libdir = try Libdir()
            defer { libdir.remove() }
            let fstat = try await CommandResult.run(["plugin", "doc", "data/fstat", "-c", libdir.config])
            #expect(fstat.status == 0, "\(fstat.stderr)")
            // The recorded `mco plugin doc data/fstat` (Tests/Fixtures/cli_outputs/plugin_doc_data_fstat.txt),
            // with its two documented differences: the title (Chorus names the plugin by its id)
            // and the /.+/ literal (Ruby prints Regexp#to_s).
            let fixture = try Self.fixture("plugin_doc_data_fstat")
            let expected = fixture
                .replacingOccurrences(of: "File Stat\n=========\n", with: "fstat\n=====\n")
                .replacingOccurrences(of: "Validation: (?-mix:.+)", with: "Validation: .+")
            #expect(fstat.stdout == expected)
            #expect(try await CommandResult.run(["plugin", "doc", "fstat", "-c", libdir.config]).stdout == fstat.stdout)

            // A data plugin from the libdir, in MCollective's file naming.
            try libdir.write(
                """
                metadata :name => "Greeter", :description => "Greeting facts", :author => "Ops", :license => "ASL 2.0",
                         :version => "1.0", :url => "https://example.com", :timeout => 1
                dataquery :description => "Greeting" do
                    output :count, :description => "Greetings given", :display_as => "Count"
                end
                """, to: "mcollective/data/greeter_data.ddl")
            let data = try await CommandResult.run(["plugin", "doc", "data/greeter", "-c", libdir.config])
            #expect(data.status == 0, "\(data.stderr)")
            #expect(data.stdout.contains("QUERY FUNCTION INPUT:\n\n    This plugin does not take any input\n"))
            #expect(data.stdout.contains("           count:\n              Description: Greetings given\n"))

            // An agent and a data plugin with one name: mco asks for a full path.
            try libdir.write(Self.greeterDDL, to: "mcollective/agent/greeter.ddl")
            let duplicate = try await CommandResult.run(["plugin", "doc", "greeter", "-c", libdir.config])
            #expect(duplicate.status == 1)
            #expect(duplicate.stderr.contains("Duplicate plugin name found, please specify a full path like agent/greeter or data/greeter"))

            let unknown = try await CommandResult.run(["plugin", "doc", "nosuchplugin", "-c", libdir.config])
            #expect(unknown.status == 1)
            #expect(unknown.stderr.contains("Could not find a plugin named 'nosuchplugin' in any supported plugin type"))
            #expect(try Self.fixture("plugin_doc_unknown").contains("Could not find a plugin named 'nosuchplugin' in any supported plugin type"))
            let traversal = try await CommandResult.run(["plugin", "doc", "agent/../../etc/passwd", "-c", libdir.config])
            #expect(traversal.status == 1)
            #expect(traversal.stderr.contains("is not a plugin name"))
        }

        /// What a recorded mco run printed (without the command line, Ruby's warnings and the timing).
        static func fixture(_ name: String) throws -> String {
            var parts = #filePath.split(separator: "/", omittingEmptySubsequences: false)
            parts.removeLast(2)
            let path = parts.joined(separator: "/") + "/Fixtures/cli_outputs/\(name).txt"
            let lines = try String(contentsOfFile: path, encoding: .utf8).components(separatedBy: "\n")
            let printed = lines.dropFirst().prefix { !$0.hasPrefix("real\t") }.filter { !$0.hasPrefix("/usr/lib/ruby/") }
            // `time` writes a blank line before "real".
            return printed.dropLast().joined(separator: "\n") + "\n"
        }
    }
}
