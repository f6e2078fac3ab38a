import ChorusCore
import RubyMarshal
import Testing

struct FactFilterParseTests {
    @Test(arguments: [
        ("role=web", "role", FactOperator.equal, "web"),
        ("role = web", "role", .equal, "web"),
        ("cores=>4", "cores", .greaterOrEqual, "4"),
        ("cores=<4", "cores", .lessOrEqual, "4"),
        ("cores>=4", "cores", .greaterOrEqual, "4"),
        ("cores<=4", "cores", .lessOrEqual, "4"),
        ("cores>3", "cores", .greater, "3"),
        ("cores<3", "cores", .less, "3"),
        ("osfamily!=Debian", "osfamily", .notEqual, "Debian"),
        ("role==web", "role", .equal, "web"),
        ("role=~^w", "role", .matches, "^w"),
        ("role=/^w/", "role", .matches, "/^w/"),
        ("role = /^w/", "role", .matches, "/^w/"),
        ("a=b<c", "a=b", .less, "c"),
        ("path=/usr/bin", "path", .equal, "/usr/bin"),
        ("motd=hello world", "motd", .equal, "hello world"),
    ])
    func parsesLikeParseFactString(_ text: String, _ fact: String, _ op: FactOperator, _ value: String) throws {
        #expect(try FactFilter.parse(text) == FactFilter(fact: fact, operator: op, value: value))
    }

    @Test(arguments: ["web::apache", "role", "=web", ""])
    func rejectsTextWithoutOperator(_ text: String) {
        #expect(throws: FilterError.invalidFact(text)) { try FactFilter.parse(text) }
    }

    @Test func withSplitsFactsFromClasses() {
        var filter = Filter()
        filter.addWith("role=web web::apache  cores>2")
        #expect(filter.facts == [FactFilter(fact: "role", operator: .equal, value: "web"), FactFilter(fact: "cores", operator: .greater, value: "2")])
        #expect(filter.classes == ["web::apache"])
    }
}

struct CompoundParserTests {
    @Test(arguments: [
        ("role=web and datacenter=ams", [CompoundToken.statement("role=web"), .and, .statement("datacenter=ams")]),
        ("web::nginx or datacenter=fra", [.statement("web::nginx"), .or, .statement("datacenter=fra")]),
        ("not role=web", [.not, .statement("role=web")]),
        ("!role=web", [.not, .statement("role=web")]),
        ("cores>3 and !role=db", [.statement("cores>3"), .and, .not, .statement("role=db")]),
        ("(role=web or role=db) and datacenter=ams",
         [.open, .statement("role=web"), .or, .statement("role=db"), .close, .and, .statement("datacenter=ams")]),
        ("role = web and datacenter= ams", [.statement("role=web"), .and, .statement("datacenter=ams")]),
        ("/^web/ or role=/a b/", [.statement("/^web/"), .or, .statement("role=/a b/")]),
        ("not(role=db)", [.not, .open, .statement("role=db"), .close]),
        ("and_more=1 or order=2", [.statement("and_more=1"), .or, .statement("order=2")]),
        ("'web::nginx' and motd=\"hello world\"", [.statement("web::nginx"), .and, .statement("motd=hello world")]),
    ])
    func tokenisesLikeMatcher(_ text: String, _ expected: [CompoundToken]) throws {
        #expect(try CompoundParser.parse(text) == expected)
    }

    @Test func functionStatementsBecomeHashes() throws {
        #expect(
            try CompoundParser.parse("fact('role').value=db") == [
                .function(FunctionStatement(name: "fact", params: "role", value: "value", operator: .equal, comparand: .text("db")))
            ])
        #expect(
            try CompoundParser.parse("fstat('/etc/hosts').size>100") == [
                .function(FunctionStatement(name: "fstat", params: "/etc/hosts", value: "size", operator: .greater, comparand: .text("100")))
            ])
        #expect(
            try CompoundParser.parse("fstat(\"/etc/hosts.allow\").md5!=/^ab/") == [
                .function(FunctionStatement(name: "fstat", params: "/etc/hosts.allow", value: "md5", operator: .notMatches, comparand: .regex("^ab")))
            ])
        #expect(
            try CompoundParser.parse("fact('a').value=/x/ and agent('rpcutil').version>=1.0") == [
                .function(FunctionStatement(name: "fact", params: "a", value: "value", operator: .matches, comparand: .regex("x"))),
                .and,
                .function(FunctionStatement(name: "agent", params: "rpcutil", value: "version", operator: .greaterOrEqual, comparand: .text("1.0"))),
            ])
        #expect(
            try CompoundParser.parse("foo()=1") == [
                .function(FunctionStatement(name: "foo", params: nil, value: nil, operator: .equal, comparand: .text("1")))
            ])
    }

    @Test(arguments: [
        ("", 1), ("and role=web", 1), ("role=web and", 10), ("role=web or and x", 13), ("role=web web", 10),
        ("(role=web", 10), ("role=web)", 9), ("(role=web) x", 12), ("not and x", 5), ("fstat('/x').md5 != y", 18), ("foo(", 1), ("/a/=b", 1),
        ("role=/abc", 1), ("fact('role')", 1), ("fact(role).value=x", 1), ("=web", 1),
    ])
    func syntaxErrorsCarryTheColumn(_ text: String, _ column: Int) {
        #expect {
            try CompoundParser.parse(text)
        } throws: { error in
            guard case .compoundSyntax(_, let input, let found)? = error as? FilterError else { return false }
            return input == text && found == column
        }
    }

    @Test func errorMessagesSayWhatWasExpected() {
        #expect {
            try CompoundParser.parse("role=web web")
        } throws: { error in
            "\(error)".contains("expected 'and', 'or' or ')' after 'role=web', found 'web'") && "\(error)".contains("column 10")
        }
    }

    @Test func lengthIsLimited() {
        let long = Array(repeating: "role=web", count: 1000).joined(separator: " or ")
        #expect(throws: FilterError.compoundTooLong(length: long.unicodeScalars.count, limit: CompoundParser.maximumLength)) {
            try CompoundParser.parse(long)
        }
    }
}
