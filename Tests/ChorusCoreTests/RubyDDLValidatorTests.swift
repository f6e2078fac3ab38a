import ChorusCore
import Foundation
import RubyMarshal
import Testing

/// MCollective's `regex`, `length` and `typecheck` validators (and `shellsafe`,
/// `ipv4address`, `ipv6address`, `array`) are what a Chorus DDL's `validation`, `max_length`,
/// `type` and `list` do. Checked against the real thing: one Ruby DDL is loaded by Debian's
/// MCollective (`DDL::AgentDDL#validate_rpc_request`, run by `ruby`) and by Chorus's Ruby DDL
/// reader, the same requests are validated by both, and the verdicts and messages compared.
@Suite("Ruby DDL: validation agrees with MCollective's validators")
struct RubyDDLValidatorTests {
    static let ddl = """
        metadata :name => "probe", :description => "Validator probe", :author => "tests", :license => "ASL 2.0",
                 :version => "1.0", :url => "https://example.invalid", :timeout => 5
        action "run", :description => "Validates its inputs" do
          input :word, :prompt => "p", :description => "regex (string)", :type => :string, :validation => '^[a-z]+$', :maxlength => 5, :optional => true
          input :digits, :prompt => "p", :description => "regex (literal)", :type => :string, :validation => /^\\d+$/, :maxlength => 0, :optional => true
          input :caseless, :prompt => "p", :description => "regex (literal, i)", :type => :string, :validation => /^abc$/i, :maxlength => 0, :optional => true
          input :text, :prompt => "p", :description => "no validation", :type => :string, :validation => nil, :maxlength => 3, :optional => true
          input :safe, :prompt => "p", :description => "shellsafe", :type => :string, :validation => :shellsafe, :maxlength => 0, :optional => true
          input :ip4, :prompt => "p", :description => "ipv4address", :type => :string, :validation => :ipv4address, :maxlength => 0, :optional => true
          input :ip6, :prompt => "p", :description => "ipv6address", :type => :string, :validation => :ipv6address, :maxlength => 0, :optional => true
          input :count, :prompt => "p", :description => "typecheck integer", :type => :integer, :optional => true
          input :ratio, :prompt => "p", :description => "typecheck float", :type => :float, :optional => true
          input :size, :prompt => "p", :description => "typecheck number", :type => :number, :optional => true
          input :flag, :prompt => "p", :description => "typecheck boolean", :type => :boolean, :optional => true
          input :mode, :prompt => "p", :description => "array (list)", :type => :list, :list => ["start", "stop"], :optional => true
          input :need, :prompt => "p", :description => "required", :type => :string, :validation => '.', :maxlength => 0, :optional => false
        end
        """

    /// One request per line: `action JSON-arguments`.
    static let requests = [
        #"run {"need":"x"}"#, #"run {}"#, #"run {"need":5}"#, #"frobnicate {"need":"x"}"#,
        #"run {"need":"x","word":"abc"}"#, #"run {"need":"x","word":"ABC"}"#, #"run {"need":"x","word":"abcdef"}"#,
        #"run {"need":"x","word":"ab1"}"#, #"run {"need":"x","word":"X\nabc"}"#, #"run {"need":"x","word":7}"#,
        #"run {"need":"x","digits":"123"}"#, #"run {"need":"x","digits":"12a"}"#,
        #"run {"need":"x","caseless":"ABC"}"#, #"run {"need":"x","caseless":"abd"}"#,
        #"run {"need":"x","text":"héé"}"#, #"run {"need":"x","text":"héllo"}"#,
        #"run {"need":"x","safe":"nginx"}"#, #"run {"need":"x","safe":"a;b"}"#, #"run {"need":"x","safe":"a`id`"}"#,
        #"run {"need":"x","safe":"$HOME"}"#, #"run {"need":"x","safe":"a|b"}"#, #"run {"need":"x","safe":"a&&b"}"#,
        #"run {"need":"x","safe":"a>b"}"#, #"run {"need":"x","safe":"a<b"}"#, #"run {"need":"x","safe":"a&b"}"#,
        #"run {"need":"x","ip4":"10.0.0.1"}"#, #"run {"need":"x","ip4":"10.0.0"}"#, #"run {"need":"x","ip4":"256.1.1.1"}"#,
        #"run {"need":"x","ip6":"::1"}"#, #"run {"need":"x","ip6":"fe80::1:2"}"#, #"run {"need":"x","ip6":"1.2.3.4"}"#,
        #"run {"need":"x","count":3}"#, #"run {"need":"x","count":"3"}"#, #"run {"need":"x","count":3.5}"#,
        #"run {"need":"x","ratio":2.5}"#, #"run {"need":"x","ratio":2}"#,
        #"run {"need":"x","size":2}"#, #"run {"need":"x","size":2.5}"#, #"run {"need":"x","size":"2"}"#,
        #"run {"need":"x","flag":true}"#, #"run {"need":"x","flag":false}"#, #"run {"need":"x","flag":"true"}"#,
        #"run {"need":"x","mode":"stop"}"#, #"run {"need":"x","mode":"restart"}"#,
    ]

    /// Loads the DDL into MCollective and prints "ok" or the error message per request.
    static let probe = """
        require 'mcollective'
        require 'json'
        MCollective::Config.instance.loadconfig(ARGV[0])
        ddl = MCollective::DDL::AgentDDL.new("probe", :agent, false)
        ddl.instance_eval(File.read(ARGV[1]), ARGV[1], 1)
        File.readlines(ARGV[2], chomp: true).each do |line|
          action, json = line.split(" ", 2)
          begin
            ddl.validate_rpc_request(action, JSON.parse(json, :symbolize_names => true))
            puts "ok"
          rescue => e
            puts e.message
          end
        end
        """

    /// MCollective's verdict per request, from a real `ruby` process.
    static func mcollectiveVerdicts() throws -> [String] {
        try #require(
            FileManager.default.fileExists(atPath: "/usr/lib/ruby/vendor_ruby/mcollective/ddl/agentddl.rb")
                && FileManager.default.isExecutableFile(atPath: "/usr/bin/ruby"),
            "Debian's mcollective and ruby are needed: run scripts/interop/install.sh")
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("ddl-probe-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let files = ["client.cfg", "probe.ddl", "requests.txt", "probe.rb", "out.txt"].map { directory.appendingPathComponent($0).path }
        try "libdir = /usr/share/mcollective/plugins\nlogger_type = console\nloglevel = error\nconnector = activemq\nsecurityprovider = psk\nplugin.psk = x\n"
            .write(toFile: files[0], atomically: true, encoding: .utf8)
        try ddl.write(toFile: files[1], atomically: true, encoding: .utf8)
        try (requests.joined(separator: "\n") + "\n").write(toFile: files[2], atomically: true, encoding: .utf8)
        try probe.write(toFile: files[3], atomically: true, encoding: .utf8)
        _ = FileManager.default.createFile(atPath: files[4], contents: nil)

        let ruby = Process()
        ruby.executableURL = URL(fileURLWithPath: "/usr/bin/ruby")
        ruby.arguments = ["-W0", files[3], files[0], files[1], files[2]]
        ruby.standardInput = FileHandle.nullDevice
        ruby.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: files[4]))
        ruby.standardError = FileHandle.nullDevice
        try ruby.run()
        ruby.waitUntilExit()
        try #require(ruby.terminationStatus == 0, "ruby \(files[3]) failed")
        return try String(contentsOfFile: files[4], encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: false)
            .dropLast().map(String.init)
    }

    @Test("every request gets MCollective's verdict and message (regex literals print as their source)")
    func sameVerdicts() throws {
        let theirs = try Self.mcollectiveVerdicts()
        try #require(theirs.count == Self.requests.count, "ruby printed \(theirs)")
        let ddl = try AgentDDL.load(rubyDDL: Self.ddl, file: "probe.ddl")
        for (request, expected) in zip(Self.requests, theirs) {
            let space = try #require(request.firstIndex(of: " "))
            guard case .hash(let parsed) = try RubyValue(json: String(request[request.index(after: space)...])) else {
                Issue.record("not a JSON object: \(request)")
                continue
            }
            var arguments = RubyHash()
            for pair in parsed.pairs { arguments.set(pair.value, forSymbol: pair.key.stringValue ?? "") }
            let ours: String
            do {
                try ddl.validateRequest(action: String(request[..<space]), arguments: &arguments)
                ours = "ok"
            } catch {
                ours = error.message
            }
            // Ruby prints a /…/ literal as Regexp#to_s, (?-mix:…); Chorus as its source.
            let normalised = expected
                .replacingOccurrences(of: "(?-mix:^\\d+$)", with: "^\\d+$")
                .replacingOccurrences(of: "(?i-mx:^abc$)", with: "(?i)^abc$")
            #expect(ours == normalised, "\(request)")
        }
        #expect(theirs.filter { $0 == "ok" }.count >= 15)
        #expect(theirs.filter { $0 != "ok" }.count >= 20)
    }
}
