import ChorusCore
import Foundation
import Testing

/// Ruby DDLs that are broken, hostile or outside the declarative subset: each one is a
/// `DDLLoadError` naming the file, the line and column and the problem. Nothing is ever run.
@Suite("Ruby DDL: hostile and broken input")
struct RubyDDLHostileTests {
    static let metadata = """
        metadata :name => "svc", :description => "d", :author => "a", :license => "l",
                 :version => "1", :url => "u", :timeout => 5
        """

    /// The error loading `text` (labelled `bad.ddl`), or an issue when it loads.
    static func failure(_ text: String, sourceLocation: SourceLocation = #_sourceLocation) -> DDLLoadError? {
        do {
            let ddl = try AgentDDL.load(rubyDDL: text, file: "bad.ddl")
            Issue.record("loaded when it should not have: \(ddl)", sourceLocation: sourceLocation)
            return nil
        } catch {
            #expect(error.file == "bad.ddl", sourceLocation: sourceLocation)
            return error
        }
    }

    static func expectFailure(
        _ text: String, at location: String, _ fragment: String, sourceLocation: SourceLocation = #_sourceLocation
    ) {
        guard let error = failure(text, sourceLocation: sourceLocation) else { return }
        #expect(error.location == location, "\(error)", sourceLocation: sourceLocation)
        #expect(error.message.contains(fragment), "\(error)", sourceLocation: sourceLocation)
    }

    /// "line L, column C" of the first `needle` in `text` (columns count Unicode scalars).
    static func place(of needle: String, in text: String) -> String {
        guard let range = text.range(of: needle) else { return "\(needle) not in the text" }
        let before = text[..<range.lowerBound]
        let line = before.filter { $0 == "\n" }.count + 1
        let lineStart = before.lastIndex(of: "\n").map { before.index(after: $0) } ?? before.startIndex
        return "line \(line), column \(text.unicodeScalars[lineStart..<range.lowerBound].count + 1)"
    }

    /// Expects a failure located at the first `needle` of `text`.
    static func expectFailure(
        _ text: String, atFirst needle: String, _ fragment: String, sourceLocation: SourceLocation = #_sourceLocation
    ) {
        expectFailure(text, at: place(of: needle, in: text), fragment, sourceLocation: sourceLocation)
    }

    @Test("unterminated strings, symbols, regexes, lists, heredocs and blocks")
    func unterminated() {
        Self.expectFailure(#"metadata :name => "abc"#, at: "line 1, column 19", "never closed")
        Self.expectFailure("metadata :name => 'abc\n\n", at: "line 1, column 19", "never closed")
        Self.expectFailure("metadata :name => :\"abc", at: "line 1, column 20", "never closed")
        Self.expectFailure("x :validation => /abc\n", at: "line 1, column 18", "never closed")
        Self.expectFailure("x :list => %w[a b", at: "line 1, column 12", "never closed")
        Self.expectFailure("usage <<-EOU\ntext\n", at: "line 1, column 7", "never closed: add a line with EOU")
        Self.expectFailure("usage <<-EOU", at: "line 1, column 7", "has no body")
        Self.expectFailure(Self.metadata + "\naction \"a\", :description => \"b\" do\n  display :ok\n", atFirst: "do", "never closed with 'end'")
        Self.expectFailure("=begin\nno end", at: "line 1, column 1", "never closed with =end")
        Self.expectFailure("x \"#{item", at: "line 1, column 4", "never closed")
    }

    @Test("Ruby code outside the subset: commands, backticks, interpolation, control flow, constants, operators")
    func rubyCode() {
        let m = Self.metadata + "\n"
        Self.expectFailure(m + #"system("rm -rf /")"#, at: "line 3, column 1", "'system' is not a DDL statement")
        Self.expectFailure(m + "`rm -rf /`", at: "line 3, column 1", "runs a shell command")
        Self.expectFailure(m + "eval \"exit 1\"", at: "line 3, column 1", "'eval' is not a DDL statement")
        Self.expectFailure(m + "require 'fileutils'", at: "line 3, column 1", "'require' is not a DDL statement")
        Self.expectFailure(
            m + ##"action "a", :description => "#{File.read('/etc/passwd')}" "##, at: "line 3, column 30", "is Ruby code")
        Self.expectFailure(m + ##"action "a", :description => "#{x}" "##, at: "line 3, column 30", "unknown name 'x'")
        Self.expectFailure(m + ##"action "a", :description => "#@secret" "##, at: "line 3, column 30", "interpolates a Ruby variable")
        Self.expectFailure(m + "if true\nend", at: "line 3, column 1", "control flow")
        Self.expectFailure(m + "def helper; end", at: "line 3, column 1", "control flow")
        Self.expectFailure(m + "action \"a\", :description => \"b\" if true", atFirst: "if", "control flow")
        Self.expectFailure(m + #"File.read("/etc/passwd")"#, at: "line 3, column 1", "'File' is a Ruby constant")
        Self.expectFailure(m + #"action "a", :description => "b".upcase"#, at: "line 3, column 32", "method calls on values")
        Self.expectFailure(#"metadata :name => "a" + "b""#, at: "line 1, column 23", "unexpected '+'")
        Self.expectFailure("@x = 1", at: "line 1, column 1", "instance and global variables")
        Self.expectFailure("metadata :name => $0", at: "line 1, column 19", "instance and global variables")
        Self.expectFailure(m + "[1, 2].map do |x|\nend", at: "line 3, column 8", "only .each loops")
        Self.expectFailure(m + "action \"a\", :description => \"b\" do |x|\nend", atFirst: "|x|", "each-loops only")
        Self.expectFailure(m + "x = [1]", at: "line 3, column 3", "unexpected '='")
        Self.expectFailure(#"metadata :name => "\x80""#, at: "line 1, column 20", "raw bytes")
        Self.expectFailure("metadata :timeout => 0x10", at: "line 1, column 22", "only decimal numbers")
        Self.expectFailure("usage <<-EOU\ntext #{`id`}\nEOU\n", at: "line 2, column 6", "is Ruby code")
        Self.expectFailure("metadata :v => /a#{b}/", at: "line 1, column 18", "interpolation")
        Self.expectFailure("metadata :v => /a/o", at: "line 1, column 19", "flag 'o'")
    }

    @Test("declarations that break MCollective's or Chorus's rules")
    func badDeclarations() {
        let m = Self.metadata + "\n"
        let input = "input :x, :prompt => \"p\", :description => \"d\", :type => :string, :optional => true"
        func action(_ body: String) -> String { m + "action \"a\", :description => \"b\" do\n" + body + "\nend\n" }

        Self.expectFailure("action \"a\", :description => \"b\"", at: "", "has no metadata")
        Self.expectFailure(m, at: "", "declares no action and no dataquery")
        Self.expectFailure(
            "metadata :name => \"svc\", :description => \"d\", :author => \"a\", :license => \"l\", :version => \"1\", :url => \"u\"",
            at: "line 1, column 1", "metadata needs a :timeout property")
        Self.expectFailure(
            Self.metadata.replacingOccurrences(of: ":timeout => 5", with: ":timeout => 5, :homepage => \"x\""),
            at: "line 2, column 55", "unknown property :homepage")
        Self.expectFailure(action(input + ", :maxlen => 40, :maxlength => 40, :validation => '.'"), atFirst: ":maxlen ", "unknown property :maxlen")
        Self.expectFailure(action(input), at: "line 4, column 1", "Input type :string needs a :validation argument")
        Self.expectFailure(
            action(input.replacingOccurrences(of: ", :optional => true", with: "") + ", :validation => '.', :maxlength => 1"),
            at: "line 4, column 1", "needs an :optional property")
        Self.expectFailure(
            action(input.replacingOccurrences(of: ":string", with: ":strng")), atFirst: ":strng", "unknown type :strng")
        Self.expectFailure(action(input + ", :maxlength => 9, :validation => '[a-'"), atFirst: "'[a-'", "invalid regular expression")
        Self.expectFailure(action(input + ", :maxlength => 9, :validation => :shellsafer"), atFirst: ":shellsafer", "unknown validator :shellsafer")
        Self.expectFailure(
            action(input + ", :maxlength => 3, :validation => '.', :default => \"toolong\""), atFirst: "\"toolong\"",
            "the :default fails the input's own check: Input string is longer than 3 character(s)")
        Self.expectFailure(action("display :flatten"), at: "line 4, column 9", "display :flatten is deprecated")
        Self.expectFailure(action("output :x, :description => \"d\""), at: "line 4, column 1", "output :x needs a :display_as property")
        Self.expectFailure(
            action("output :x, :description => \"d\", :display_as => \"X\"\nsummarize do\n aggregate boolean_summary(:x, {:true => \"T\"})\nend"),
            at: "line 6, column 12", "unknown aggregate function boolean_summary")
        Self.expectFailure(
            action("summarize do\n aggregate summary(:missing)\nend"), at: "line 5, column 2",
            "aggregate summary(:missing) names an output the action a does not declare")
        Self.expectFailure(action("output \"x\", :description => \"d\", :display_as => \"X\""), at: "line 4, column 8", "output names are symbols")
        Self.expectFailure(m + "action \"a\", :description => \"b\"\naction \"a\", :description => \"c\"", at: "line 4, column 1", "declared twice")
        Self.expectFailure(
            m + "dataquery :description => \"q\" do\n input :name, :prompt => \"p\", :description => \"d\", :type => :string\nend",
            at: "line 4, column 8", "The only valid input name for a data query is 'query'")
        Self.expectFailure(
            m + "dataquery :description => \"q\" do\nend\naction \"a\", :description => \"b\"", at: "line 5, column 1", "not both")
        Self.expectFailure(m + "discovery do\n capabilities :identity\nend", at: "line 3, column 1", "discovery plugin's DDL")
        Self.expectFailure(m + "requires :ruby => \"3.1\"", at: "line 3, column 10", "only mcollective is supported")
    }

    @Test("the error's description names the file, the line and column, and the problem")
    func errorDescription() {
        let error = Self.failure(#"metadata :name => "abc"#)
        #expect(error?.description == "bad.ddl: line 1, column 19: this string is never closed: add the missing \"")
    }

    @Test("huge files, deep nesting and runaway loops are refused without exhausting memory or the stack")
    func resourceLimits() {
        let huge = String(repeating: "# padding\n", count: AgentDDL.maxDocumentSize / 10 + 1)
        Self.expectFailure(huge, at: "", "larger than \(AgentDDL.maxDocumentSize) bytes")

        let deepList = "metadata :name => " + String(repeating: "[", count: 100_000)
        Self.expectFailure(deepList, at: "line 1, column 50", "nested deeper than 32 levels")
        let deepHash = "metadata :name => " + String(repeating: "{:a => ", count: 50_000)
        // `{:a => ` is 7 characters; the key inside the 31st hash is the 33rd level (the statement is the first).
        Self.expectFailure(deepHash, at: "line 1, column \(19 + 30 * 7 + 1)", "nested deeper than 32 levels")
        let deepBlocks = String(repeating: "summarize do\n", count: 10_000)
        Self.expectFailure(deepBlocks, at: "line 32, column 11", "nested deeper than 32 levels")

        let list = "[" + (1...400).map(String.init).joined(separator: ", ") + "]"
        let loops = Self.metadata + "\n\(list).each do |a|\n\(list).each do |b|\n\(list).each do |c|\nusage \"x\"\nend\nend\nend\n"
        Self.expectFailure(loops, atFirst: "usage", "expand to more than 50000 statements")
    }

    static let mutationCount = 3_000

    /// Seeded mutations of the real rpcutil.ddl (Ruby syntax characters inserted, removed,
    /// duplicated): every one must load or fail with a `DDLLoadError`, never crash or hang.
    @Test("three thousand seeded mutations of rpcutil.ddl load or fail cleanly")
    func mutations() throws {
        let path = RubyDDLDebianTests.root + "/agent/rpcutil.ddl"
        try #require(FileManager.default.fileExists(atPath: path), "\(path) is missing: run scripts/interop/install.sh (installs Debian's mcollective)")
        let original = Array(try String(contentsOfFile: path, encoding: .utf8).unicodeScalars)
        let pieces: [String] = ["\"", "'", "#", "#{", "}", "{", "(", ")", "[", "]", "\n", "\\", "/", "%w[", "<<-E", ":", "do", "end", "|", "=>", "-", "0", ",", "É", "\u{0}"]
        var random = SplitMix64(seed: 0x5EED_DD1)
        var loaded = 0
        var failed = 0
        for _ in 0..<Self.mutationCount {
            var text = original
            for _ in 0..<(1 + Int(random.next() % 3)) {
                let at = Int(random.next() % UInt64(text.count))
                switch random.next() % 4 {
                case 0: text.insert(contentsOf: pieces[Int(random.next() % UInt64(pieces.count))].unicodeScalars, at: at)
                case 1: text.remove(at: at)
                case 2: text.replaceSubrange(at..<min(text.count, at + 40), with: [])
                default: text.insert(contentsOf: text[at..<min(text.count, at + 60)], at: at)
                }
                if text.isEmpty { text = original }
            }
            do {
                _ = try AgentDDL.load(rubyDDL: String(String.UnicodeScalarView(text)), file: "mutant.ddl")
                loaded += 1
            } catch {
                #expect(error.file == "mutant.ddl" && !error.message.isEmpty)
                failed += 1
            }
        }
        #expect(loaded + failed == Self.mutationCount)
        #expect(failed > Self.mutationCount / 2, "most mutations must break the DDL: \(loaded) loaded")
    }
}

/// A small deterministic generator for seeded mutations (SplitMix64).
private struct SplitMix64 {
    private var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
