import ChorusCore
import Foundation
import RubyMarshal
import Testing

/// The declarative subset of Ruby the DDL reader understands: each form on its own.
@Suite("Ruby DDL: the declarative subset")
struct RubyDDLSyntaxTests {
    static let metadata = """
        metadata :name => "svc", :description => "Service agent", :author => "Ops <ops@example.com>",
                 :license => "ASL 2.0", :version => "1.2", :url => "https://example.com", :timeout => 60

        """

    static func agent(_ body: String) throws -> AgentDDL {
        try AgentDDL.load(rubyDDL: metadata + body, file: "svc.ddl")
    }

    static func onlyAction(_ body: String) throws -> ActionDDL {
        try #require(try agent(body).actions.first)
    }

    @Test("hash rockets, key: labels and parentheses give the same DDL")
    func argumentStyles() throws {
        let rockets = try Self.agent("""
            action "status", :description => "Status" do
                input :service, :prompt => "Service", :description => "Name", :type => :string,
                      :validation => :service_name, :optional => false, :maxlength => 60
                output :status, :description => "State", :display_as => "Status"
            end
            """)
        let labels = try AgentDDL.load(rubyDDL: """
            metadata(name: "svc", description: "Service agent", author: "Ops <ops@example.com>",
                     license: "ASL 2.0", version: "1.2", url: "https://example.com", timeout: 60)
            action("status", description: "Status") do
              input(:service, prompt: "Service", description: "Name", type: :string,
                    validation: :service_name, optional: false, maxlength: 60)
              output(:status, {description: "State", display_as: "Status"})
            end
            """)
        #expect(rockets == labels)
        #expect(rockets.actions[0].inputs[0].validation == .validator(.service_name))
        #expect(rockets.actions[0].display == .failed)
    }

    @Test("strings in both quote styles with Ruby's escapes")
    func quoting() throws {
        let action = try Self.onlyAction(##"""
            action "q", :description => "tab\there \u00e9\u{1F600} \x41\101 \#{not} \"quoted\"\s." do
                output :single, :description => 'it\'s a \\ and \w stays', :display_as => 'x'
                output :multi, :description => "line one
            line two", :display_as => "y"
            end
            """##)
        #expect(action.description == "tab\there é😀 AA #{not} \"quoted\" .")
        #expect(action.outputs[0].description == #"it's a \ and \w stays"#)
        #expect(action.outputs[1].description == "line one\nline two")
    }

    @Test("%w and %i lists, list inputs, defaults of every literal kind")
    func listsAndDefaults() throws {
        let action = try Self.onlyAction("""
            action "clean", :description => "Clean" do
                input :mode, :prompt => "Mode", :description => "How", :type => :list, :optional => true,
                      :list => %w[all headers metadata], :default => "all"
                input :level, :prompt => "Level", :description => "Level", :type => :list, :optional => true,
                      :list => [1, 2, 3]
                input :force, :prompt => "Force", :description => "Force", :type => :boolean, :optional => true, :default => false
                input :ratio, :prompt => "Ratio", :description => "Ratio", :type => :float, :optional => true, :default => 1.5e0
                output :count, :description => "Count", :display_as => "Count", :default => -1
                output :map, :description => "Map", :display_as => "Map", :default => {}
                output :names, :description => "Names", :display_as => "Names", :default => %i[a b]
                output :nothing, :description => "Nothing", :display_as => "Nothing", :default => nil
                output :text, :description => "Text", :display_as => "Text", :default => ""
                output :big, :description => "Big", :display_as => "Big", :default => 1_000_000
            end
            """)
        #expect(action.inputs[0].type == .list(["all", "headers", "metadata"]))
        #expect(action.inputs[0].default == "all")
        #expect(action.inputs[1].type == .list([1, 2, 3]))
        // A `false` default is kept (it is a value, not "no default").
        #expect(action.inputs[2].default == .bool(false))
        #expect(action.inputs[3].default == .float(1.5))
        #expect(action.outputs.map(\.default) == [.int(-1), .hash(RubyHash()), .array([.symbol("a"), .symbol("b")]), nil, "", .int(1_000_000)])
    }

    @Test("heredocs (usage text is ignored), comments, =begin/=end and __END__")
    func heredocsAndComments() throws {
        let ddl = try Self.agent(##"""
            # A comment line
            usage <<-EOU
              This agent does things. Escaped interpolation \#{stays} text; "quotes" too.
              EOU
            =begin
            action "hidden", :description => "inside a block comment"
            =end
            usage <<~'RAW'
                Raw text with #{braces} and \n kept as written
            RAW
            action "visible", :description => "Shown" do # trailing comment
                output :x, :description => "x", :display_as => "X"
            end
            __END__
            anything at all ( " ` system("rm -rf /")
            """##)
        #expect(ddl.actions.map(\.name) == ["visible"])
    }

    @Test("regular expression validations: strings and literals with flags, matched as Ruby matches them")
    func regexValidations() throws {
        let action = try Self.onlyAction(#"""
            action "r", :description => "Regexes" do
                input :a, :prompt => "a", :description => "a", :type => :string, :optional => true, :maxlength => 0,
                      :validation => '^[a-z]+$'
                input :b, :prompt => "b", :description => "b", :type => :string, :optional => true, :maxlength => 0,
                      :validation => /^abc$/i
                input :c, :prompt => "c", :description => "c", :type => :string, :optional => true, :maxlength => 0,
                      :validation => /a.b/m
                input :d, :prompt => "d", :description => "d", :type => :string, :optional => true, :maxlength => 0,
                      :validation => "^\\d+$"
                input :e, :prompt => "e", :description => "e", :type => :string, :optional => true, :maxlength => 0,
                      :validation => /^\/srv\//
                input :f, :prompt => "f", :description => "f", :type => :string, :optional => true, :maxlength => 0,
                      :validation => nil
            end
            """#)
        let check = { (name: String, value: String) in action.input(named: name)?.validation?.failure(for: value) }
        #expect(check("a", "abc") == nil && check("a", "ABC") == "value should match ^[a-z]+$")
        // Ruby's ^ and $ match at line boundaries: MCollective accepts "x\nabc" for '^[a-z]+$' too.
        #expect(check("a", "X Y\nabc") == nil)
        #expect(check("b", "ABC") == nil && check("b", "abd") != nil)
        #expect(check("c", "a\nb") == nil)
        #expect(check("d", "123") == nil && check("d", "12a") != nil)
        #expect(check("e", "/srv/www") == nil && check("e", "/etc") != nil)
        #expect(action.input(named: "f")?.validation == nil)
        #expect(action.input(named: "a")?.validation?.source == "^[a-z]+$")
        #expect(action.input(named: "b")?.validation?.source == "(?i)^abc$")
    }

    @Test("display, summarize with summary/average/sum and formats")
    func displayAndAggregates() throws {
        let ddl = try Self.agent("""
            action "a", :description => "A" do
                display :ok
                output :x, :description => "x", :display_as => "X"
                output :y, :description => "y", :display_as => "Y"
                summarize do
                    aggregate summary(:x)
                    aggregate average(:y, :format => "Average: %0.2f")
                    aggregate sum(:y), :format => "ignored by MCollective"
                end
            end
            action "b", :description => "B" do
                display :always
                output :z, :description => "z", :display_as => "Z"
            end
            action "c", :description => "C"
            """)
        #expect(ddl.actions.map(\.display) == [.ok, .always, .failed])
        #expect(
            ddl.actions[0].aggregates == [
                AggregateSpec(function: .summary, output: "x"),
                AggregateSpec(function: .average, output: "y", format: "Average: %0.2f"),
                AggregateSpec(function: .sum, output: "y"),
            ])
        #expect(ddl.actions[2].outputs.isEmpty && ddl.actions[2].inputs.isEmpty)
    }

    @Test("each-loops over literal lists, with the loop variable in names and interpolations")
    func eachLoops() throws {
        let ddl = try Self.agent("""
            ["install", "update", "uninstall"].each do |act|
                action act, :description => "#{act.capitalize} a package" do
                    input :package, :prompt => "Package Name", :description => "Package to #{act}",
                          :type => :string, :validation => :shellsafe, :optional => false, :maxlength => 90
                    %i[output epoch].each { |item|
                        output item, :description => "The #{item}", :display_as => item.to_s.upcase
                    }
                end
            end
            """)
        #expect(ddl.actions.map(\.name) == ["install", "update", "uninstall"])
        #expect(ddl.actions.map(\.description) == ["Install a package", "Update a package", "Uninstall a package"])
        #expect(ddl.actions[1].inputs[0].description == "Package to update")
        #expect(ddl.actions[2].outputs.map(\.name) == ["output", "epoch"])
        #expect(ddl.actions[2].outputs.map(\.displayAs) == ["OUTPUT", "EPOCH"])
    }

    @Test("a data plugin: dataquery with its query input (no :optional needed) and outputs; requires is accepted")
    func dataQuery() throws {
        let ddl = try AgentDDL.load(rubyDDL: """
            metadata :name => "Sysctl", :description => "Kernel parameters", :author => "Ops", :license => "ASL 2.0",
                     :version => "1.0", :url => "https://example.com", :timeout => 1
            requires :mcollective => "2.2.1"
            dataquery :description => "Sysctl values" do
                input :query, :prompt => "Variable", :description => "A sysctl name", :type => :string,
                      :validation => /^[\\w.]+$/, :maxlength => 120
                output :value, :description => "The value", :display_as => "Value"
            end
            """)
        #expect(ddl.kind == .data)
        #expect(ddl.dataQuery?.display == .always)
        #expect(ddl.dataQuery?.inputs.first?.optional == false)
        #expect(ddl.dataQuery?.outputs.map(\.name) == ["value"])
        #expect(throws: Never.self) { try ddl.validateQuery(.str("kernel.pid_max")) }
        #expect(throws: DDLValidationError.self) { try ddl.validateQuery(.str("kernel pid")) }
    }

    @Test("CRLF line ends and a byte order mark read as plain line ends")
    func windowsText() throws {
        let text = Self.metadata + """
            usage <<-EOU
              Usage text
            EOU
            action "status", :description => "Status" do
                output :status, :description => "State", :display_as => "Status"
            end

            """
        let windows = "\u{FEFF}" + text.replacingOccurrences(of: "\n", with: "\r\n")
        #expect(try AgentDDL.load(rubyDDL: windows) == (try AgentDDL.load(rubyDDL: text)))
    }

    @Test("load(contentsOf:) reads .ddl files as Ruby and everything else as JSON")
    func loadingByExtension() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("rubyddl-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let ruby = directory.appendingPathComponent("svc.ddl").path
        try (Self.metadata + "action \"status\", :description => \"Status\"\n").write(toFile: ruby, atomically: true, encoding: .utf8)
        #expect(try AgentDDL.load(contentsOf: ruby).actions.map(\.name) == ["status"])

        let json = directory.appendingPathComponent("svc.json").path
        try DDLFixtures.sampleJSON.write(toFile: json, atomically: true, encoding: .utf8)
        #expect(try AgentDDL.load(contentsOf: json).name == "sample")

        // A Ruby DDL given a .json name is read as JSON, and fails as JSON.
        let misnamed = directory.appendingPathComponent("svc2.json").path
        try (Self.metadata + "action \"status\", :description => \"Status\"\n").write(toFile: misnamed, atomically: true, encoding: .utf8)
        #expect(throws: DDLLoadError.self) { try AgentDDL.load(contentsOf: misnamed) }

        let binary = directory.appendingPathComponent("bad.ddl").path
        try Data([0x6D, 0xFF, 0xFE, 0x0A]).write(to: URL(fileURLWithPath: binary))
        #expect(throws: DDLLoadError(file: binary, location: "", message: "not UTF-8 text; save the DDL as UTF-8")) {
            try AgentDDL.load(contentsOf: binary)
        }
    }
}
