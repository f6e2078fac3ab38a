import ChorusCore
import ChorusServer
import Testing

/// The policy and groups file parsers: pure text → values, errors with line numbers.
@Suite("ActionPolicy parser")
struct ActionPolicyParserTests {
    /// The actionpolicy README's example, TAB-separated (with runs of TABs, as its spec fixture).
    static let readme = """
        policy default deny
        allow\tuid=500\t*\t*\t*
        allow\t\tuid=600\t\t\t*\t\t\tcustomer=acme\t\tacme::devserver
        allow\tuid=600\tenable disable status\tcustomer=acme\t*
        allow\tuid=700\trestart\t(puppet().enabled=false and environment=production) or environment=development

        """

    static func problem(_ text: String, file: String? = nil) -> ActionPolicyError? {
        do {
            _ = try ActionPolicy(parsing: text, file: file)
            return nil
        } catch {
            return error
        }
    }

    @Test("the README example: default, callers, actions, facts, classes and a compound expression with a data plugin")
    func readmeExample() throws {
        let policy = try ActionPolicy(parsing: Self.readme, file: "puppet.policy")
        #expect(policy.defaultVerdict == .deny)
        #expect(policy.defaultLine == 1)
        #expect(policy.file == "puppet.policy")
        #expect(policy.rules.map(\.line) == [2, 3, 4, 5])
        #expect(policy.rules.allSatisfy { $0.verdict == .allow })

        #expect(policy.rules[0].callers == .listed(["uid=500"]))
        #expect(policy.rules[0].actions == .all)
        #expect(policy.rules[0].condition.isEmpty)

        #expect(policy.rules[1].condition.facts == [FactFilter(fact: "customer", operator: .equal, value: "acme")])
        #expect(policy.rules[1].condition.classes == ["acme::devserver"])

        #expect(policy.rules[2].actions == .listed(["enable", "disable", "status"]))
        #expect(policy.rules[2].condition.classes.isEmpty)

        let compound = try #require(policy.rules[3].condition.compound.first)
        #expect(compound.first == .open)
        #expect(compound.contains { if case .function(let f) = $0 { return f.name == "puppet" && f.value == "enabled" } else { return false } })
        #expect(compound.contains(.statement("environment=development")))
    }

    @Test("PE 3.8's example: policy default allow, deny package update for everyone")
    func peExample() throws {
        let policy = try ActionPolicy(parsing: "policy default allow\ndeny\t*\tupdate\t*\t*\n")
        #expect(policy.defaultVerdict == .allow)
        #expect(policy.rules == [ActionPolicy.Rule(verdict: .deny, callers: .everyone, actions: .listed(["update"]), condition: Filter(), line: 2)])
    }

    @Test("comments, indented comments, blank and whitespace-only lines are skipped; line numbers count them")
    func commentsAndBlankLines() throws {
        let text = "# a policy\n\n   \n\t# indented\npolicy default deny\n\n# rules\ndeny\tuid=1\t*\t*\n"
        let policy = try ActionPolicy(parsing: text)
        #expect(policy.defaultLine == 5)
        #expect(policy.rules.map(\.line) == [8])
        #expect(try ActionPolicy(parsing: "").rules.isEmpty)
        #expect(try ActionPolicy(parsing: "# only a comment").defaultVerdict == nil)
    }

    @Test("CRLF line endings and trailing spaces or TABs are tolerated")
    func lineEndings() throws {
        let policy = try ActionPolicy(parsing: "policy default allow \r\ndeny\tuid=1 \t status \t*\t\r\n")
        #expect(policy.defaultVerdict == .allow)
        #expect(policy.rules.first?.callers == .listed(["uid=1"]))
        #expect(policy.rules.first?.actions == .listed(["status"]))
        #expect(policy.rules.first?.condition.isEmpty == true)
    }

    @Test("fields are separated by TABs only: spaces between fields make the line malformed")
    func tabSeparation() throws {
        let spaces = try #require(Self.problem("policy default deny\nallow uid=500 * * *\n", file: "rpcutil.policy"))
        #expect(spaces.line == 2)
        #expect(spaces.file == "rpcutil.policy")
        #expect(spaces.message.contains("TAB"))
        #expect(spaces.description.hasPrefix("rpcutil.policy:2: "))

        // Spaces inside a field separate list items.
        let policy = try ActionPolicy(parsing: "allow\tuid=500 uid=600\tping status\trole=web cores>2\tweb::nginx /^common/")
        let rule = try #require(policy.rules.first)
        #expect(rule.callers == .listed(["uid=500", "uid=600"]))
        #expect(rule.actions == .listed(["ping", "status"]))
        #expect(rule.condition.facts == [FactFilter(fact: "role", operator: .equal, value: "web"), FactFilter(fact: "cores", operator: .greater, value: "2")])
        #expect(rule.condition.classes == ["web::nginx", "/^common/"])
    }

    @Test("the last policy default line counts")
    func lastDefaultWins() throws {
        let policy = try ActionPolicy(parsing: "policy default allow\npolicy   default\tdeny\n")
        #expect(policy.defaultVerdict == .deny)
        #expect(policy.defaultLine == 2)
    }

    @Test("malformed lines are errors naming the line", arguments: [
        ("permit\t*\t*\t*", 1, "expected 'policy default"),
        ("policy default maybe", 1, "policy default allow"),
        ("policy default", 1, "policy default allow"),
        ("policy default allow please", 1, "policy default allow"),
        ("# c\nallow\t*\t*", 2, "4 or 5 TAB-separated fields"),
        ("allow\t*\t*\t*\t*\textra", 1, "this one has 6"),
        ("deny", 1, "this one has 1"),
        ("allow\t*\t*\trspec\t*", 1, "is not a fact comparison"),
        ("allow\t*\t*\t*\trole=web", 1, "looks like a fact comparison"),
        ("\n\nallow\t*\t*\trole=db customer=acme", 3, "join terms with 'and'"),
        ("allow\t*\t*\t(role=db and", 1, "not a valid expression"),
        ("allow\t*\t*\trole=db and\t*", 1, "facts field"),
        ("allow\t*\t*\t*\tone and or two", 1, "classes field"),
        ("allow\t*\t*\t(role=db))", 1, "not a valid expression"),
    ])
    func malformed(text: String, line: Int, fragment: String) throws {
        let error = try #require(Self.problem(text, file: "x.policy"), "\(text) parsed")
        #expect(error.line == line)
        #expect(error.message.contains(fragment), "\(error)")
    }

    @Test("with a classes field, facts and classes may each be a compound expression (actionpolicy.rb is_compound?)")
    func compoundFields() throws {
        let policy = try ActionPolicy(parsing: """
            allow\tuid=500\trspec\tfoo=bar and bar=foo\trspec
            allow\tuid=500\trspec\tfoo=bar\tone and two or three
            allow\tuid=500\trspec\tfoo=bar and one or (two and one)
            allow\t*\t*\tfact('role').value=db\t*
            allow\t*\t*\t!role=db\t*
            """)
        #expect(policy.rules[0].condition.compound.count == 1)
        #expect(policy.rules[0].condition.classes == ["rspec"])
        #expect(policy.rules[1].condition.facts == [FactFilter(fact: "foo", operator: .equal, value: "bar")])
        #expect(policy.rules[1].condition.compound == [[.statement("one"), .and, .statement("two"), .or, .statement("three")]])
        #expect(policy.rules[2].condition.compound.first?.count == 9)
        #expect(policy.rules[3].condition.compound.count == 1)
        #expect(policy.rules[3].condition.facts.isEmpty)
        #expect(policy.rules[4].condition.compound == [[.not, .statement("role=db")]])
    }

    @Test("the groups file: names and members, comments, empty groups; a bad name is an error with its line")
    func groups() throws {
        let groups = try PolicyGroups(parsing: "# ops\nadmins uid=500 uid=501\n\nweb-ops.eu\tcert=alice  cert=bob\nnobody\nadmins uid=502\n")
        #expect(groups.members["web-ops.eu"] == ["cert=alice", "cert=bob"])
        #expect(groups.members["nobody"] == [])
        #expect(groups.contains("uid=502", inGroup: "admins"))
        #expect(!groups.contains("uid=500", inGroup: "admins"), "a group defined twice keeps its last line, as MCollective")
        #expect(!groups.contains("uid=500", inGroup: "nosuch"))

        do {
            _ = try PolicyGroups(parsing: "admins uid=1\nops+ uid=2\n", file: "groups")
            Issue.record("a bad group name was accepted")
        } catch {
            #expect(error.line == 2)
            #expect(error.description.hasPrefix("groups:2: "))
        }
    }
}
