import ChorusCore
import RubyMarshal
import Testing

/// Every filter from the oracle's cli_outputs, against node1..3: the same nodes real MCollective found.
struct FilterMatchingTests {
    struct Case: Sendable, CustomStringConvertible {
        var output: String
        var options: CLIFilter
        var expected: Set<String>
        var description: String { "\(output): \(options)" }
    }

    static let cases: [Case] = [
        Case(output: "find_all", options: CLIFilter(), expected: ["node1", "node2", "node3"]),
        Case(output: "find_agent", options: CLIFilter(agents: ["rpcutil"]), expected: ["node1", "node2", "node3"]),
        Case(output: "find_W", options: CLIFilter(with: ["role=web web::apache"]), expected: ["node3"]),
        Case(output: "find_class", options: CLIFilter(classes: ["web::nginx"]), expected: ["node1"]),
        Case(output: "find_class_regex", options: CLIFilter(classes: ["/^web/"]), expected: ["node1", "node3"]),
        Case(output: "class_regex_and_class", options: CLIFilter(classes: ["/web/", "common"]), expected: ["node1", "node3"]),
        Case(output: "find_role_web", options: CLIFilter(facts: ["role=web"]), expected: ["node1", "node3"]),
        Case(output: "find_fact_gt", options: CLIFilter(facts: ["cores>3"]), expected: ["node1", "node2"]),
        Case(output: "find_fact_ne", options: CLIFilter(facts: ["osfamily!=Debian"]), expected: ["node2"]),
        Case(output: "find_fact_regex", options: CLIFilter(facts: ["role=/^w/"]), expected: ["node1", "node3"]),
        Case(output: "fact_ge_alias", options: CLIFilter(facts: ["cores=>4"]), expected: ["node1", "node2"]),
        Case(output: "fact_int_gt", options: CLIFilter(facts: ["cores>10"]), expected: []),
        Case(output: "find_identity_regex", options: CLIFilter(identities: ["/node[12]/"]), expected: ["node1", "node2"]),
        Case(output: "quirk_identity_exact_plus_regex", options: CLIFilter(identities: ["node1", "/node/"]), expected: ["node2", "node3"]),
        Case(output: "quirk_identity_two_regex", options: CLIFilter(identities: ["/node[12]/", "/node[23]/"]), expected: ["node1", "node3"]),
        Case(output: "find_compound", options: CLIFilter(select: ["role=web and datacenter=ams"]), expected: ["node1"]),
        Case(output: "compound_S", options: CLIFilter(select: ["role=web and datacenter=ams"]), expected: ["node1"]),
        Case(output: "find_compound_class", options: CLIFilter(select: ["web::nginx or datacenter=fra"]), expected: ["node1", "node3"]),
        Case(output: "find_compound_not", options: CLIFilter(select: ["not role=web"]), expected: ["node2"]),
        Case(output: "find_compound_paren", options: CLIFilter(select: ["(role=web or role=db) and datacenter=ams"]), expected: ["node1", "node2"]),
        Case(output: "compound_fact_regex", options: CLIFilter(select: ["role=/^w/"]), expected: ["node1", "node3"]),
        Case(output: "compound_not_bang", options: CLIFilter(select: ["cores>3 and !role=db"]), expected: ["node1"]),
        Case(output: "find_fstatement", options: CLIFilter(select: ["fact('role').value=db"]), expected: ["node2"]),
    ]

    @Test(arguments: cases)
    func selectsTheNodesMCollectiveFound(_ c: Case) throws {
        #expect(OracleNodes.selected(by: try c.options.filter()) == c.expected)
    }

    @Test func emptyFilterSelectsEveryNodeButCollectiveAloneSelectsNone() {
        #expect(OracleNodes.selected(by: Filter()) == ["node1", "node2", "node3"])
        #expect(OracleNodes.selected(by: Filter(collective: "mcollective")).isEmpty)
        #expect(OracleNodes.selected(by: Filter(agents: ["rpcutil"], collective: "mcollective")).count == 3)
    }

    @Test func agentSection() {
        #expect(OracleNodes.selected(by: Filter(agents: ["mcollective"])).count == 3)
        #expect(OracleNodes.selected(by: Filter(agents: ["/^rpc/"])).count == 3)
        #expect(OracleNodes.selected(by: Filter(agents: ["puppet"])).isEmpty)
        #expect(OracleNodes.selected(by: Filter(agents: ["rpcutil", "puppet"])).isEmpty)
    }

    @Test func classRegexRemovesEverySlash() {
        // util.rb gsub("/", ""): "/web/:/nginx/" becomes the regex "web:nginx".
        #expect(OracleNodes.selected(by: Filter(classes: ["/web:/:nginx/"])) == ["node1"])
    }

    @Test func missingFactFailsEvenForNotEqual() {
        #expect(OracleNodes.selected(by: Filter(facts: [FactFilter(fact: "nosuch", operator: .notEqual, value: "x")])).isEmpty)
    }

    @Test func factComparisonsFollowUtilRb() {
        func hits(_ value: RubyValue, _ op: FactOperator, _ rhs: String) -> Bool {
            let node = NodeSnapshot(identity: "n", facts: RubyHash(stringKeys: ["f": value]))
            return Filter(facts: [FactFilter(fact: "f", operator: op, value: rhs)]).matches(node)
        }
        // Integers when both sides are digits, so "10" > "9".
        #expect(hits("10", .greater, "9"))
        // Floats when both look like ^[0-9]+.[0-9]+$ ("100" qualifies too).
        #expect(hits("1.10", .less, "1.9"))
        #expect(hits("100", .greater, "1.5"))
        // Otherwise byte-wise strings, so "10" < "9a".
        #expect(hits("10", .less, "9a"))
        #expect(hits("abc", .lessOrEqual, "abd"))
        #expect(hits("Debian", .notEqual, "RedHat"))
        #expect(!hits("Debian", .notEqual, "Debian"))
        // Ruby raises on Float("1x5"): the node does not match.
        #expect(!hits("1x5", .greater, "1.0"))
        // Array facts: any element; Hash facts: any key.
        #expect(hits(["a", "b"], .equal, "b"))
        #expect(!hits(["a", "b"], .equal, "c"))
        #expect(hits(.hash(RubyHash(stringKeys: ["eth0": "x"])), .matches, "/^eth/"))
        // Regex values lose their outer slashes only.
        #expect(hits("a/b", .matches, "/a\\/b/"))
        #expect(hits("webserver", .matches, "web"))
    }

    @Test func badRegexIsNoMatchNotACrash() {
        #expect(OracleNodes.selected(by: Filter(identities: ["/node[/"])).isEmpty)
        #expect(OracleNodes.selected(by: Filter(facts: [FactFilter(fact: "role", operator: .matches, value: "/(/")])).isEmpty)
    }

    @Test func compoundPrecedenceIsRubys() throws {
        // not binds tighter than and, and tighter than or: "not a and b" = (not a) and b.
        var filter = Filter()
        try filter.addCompound("not role=db and datacenter=ams")
        #expect(OracleNodes.selected(by: filter) == ["node1"])
        filter = Filter()
        try filter.addCompound("role=db or role=web and datacenter=fra")
        #expect(OracleNodes.selected(by: filter) == ["node2", "node3"])
        filter = Filter()
        try filter.addCompound("not (role=db or datacenter=fra)")
        #expect(OracleNodes.selected(by: filter) == ["node1"])
        filter = Filter()
        try filter.addCompound("! ! role=db")
        #expect(OracleNodes.selected(by: filter) == ["node2"])
    }

    @Test func compoundStatementQuirks() throws {
        // Every -S expression must hold.
        var filter = Filter()
        try filter.addCompound("role=web")
        try filter.addCompound("datacenter=fra")
        #expect(OracleNodes.selected(by: filter) == ["node3"])
        // In a statement "!=" is found as "=": the fact "osfamily!" does not exist.
        #expect(OracleNodes.selected(by: Filter(compound: [[.statement("osfamily!=Debian")]])).isEmpty)
        // >= and <= are found before = and <.
        #expect(OracleNodes.selected(by: Filter(compound: [[.statement("cores>=4")]])) == ["node1", "node2"])
        #expect(OracleNodes.selected(by: Filter(compound: [[.statement("cores<=4")]])) == ["node1", "node3"])
        // A statement with an operator but no value makes the node raise: no match, even negated.
        #expect(OracleNodes.selected(by: Filter(compound: [[.not, .statement("role=")]])).isEmpty)
        // Malformed token lists from the wire never match.
        #expect(OracleNodes.selected(by: Filter(compound: [[]])).isEmpty)
        #expect(OracleNodes.selected(by: Filter(compound: [[.statement("common"), .and]])).isEmpty)
        #expect(OracleNodes.selected(by: Filter(compound: [[.open, .statement("common")]])).isEmpty)
    }

    @Test func deepNestingIsEvaluatedWithoutRecursion() {
        let depth = 20_000
        let tokens = Array(repeating: CompoundToken.open, count: depth) + [.statement("common")]
            + Array(repeating: CompoundToken.close, count: depth)
        #expect(OracleNodes.selected(by: Filter(compound: [tokens])).count == 3)
    }

    @Test func functionStatements() throws {
        func select(_ expression: String) throws -> Set<String> {
            var filter = Filter()
            try filter.addCompound(expression)
            return OracleNodes.selected(by: filter)
        }
        #expect(try select("fact('role').value=/^w/") == ["node1", "node3"])
        #expect(try select("fact('role').value!=db") == ["node1", "node3"])
        #expect(try select("fact('role').exists=true") == ["node1", "node2", "node3"])
        #expect(try select("fact('nosuch').exists=false") == ["node1", "node2", "node3"])
        #expect(try select("collective('mcollective').member=true and fact('cores').value=8") == ["node2"])
        #expect(try select("agent('rpcutil').timeout>5") == ["node1", "node2", "node3"])
        #expect(try select("agent('rpcutil').timeout<5").isEmpty)
        // Strings and booleans cannot be ordered: false.
        #expect(try select("fact('role').value>a").isEmpty)
        // A missing output is false, so its negation holds.
        #expect(try select("not fact('role').nosuch=x") == ["node1", "node2", "node3"])
        // A missing data plugin fails the whole expression, negated or not.
        #expect(try select("not nosuch('x').value=y").isEmpty)
        // So does a query the plugin's DDL rejects (agent names are ^[\w\_]+$).
        #expect(try select("not agent('rpc util').version=1").isEmpty)
        // A numeric output compared with a non-number makes Ruby raise: no match.
        #expect(try select("not agent('rpcutil').timeout=ten").isEmpty)
    }
}
