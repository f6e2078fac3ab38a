import ChorusCore
import RubyMarshal
import Testing

@Suite("DDL request validation")
struct DDLValidationTests {
    private func validate(_ action: String, _ arguments: RubyHash, ddl: AgentDDL) throws(DDLValidationError) -> RubyHash {
        var arguments = arguments
        try ddl.validateRequest(action: action, arguments: &arguments)
        return arguments
    }

    private func message(_ action: String, _ arguments: RubyHash, ddl: AgentDDL) -> String? {
        do {
            _ = try validate(action, arguments, ddl: ddl)
            return nil
        } catch {
            return error.message
        }
    }

    @Test("an undeclared action is refused with MCollective's message")
    func undeclaredAction() throws {
        let ddl = try DDLFixtures.rpcutil()
        #expect(
            message("nosuchaction", RubyHash(), ddl: ddl)
                == "Attempted to call action nosuchaction for rpcutil but it's not declared in the DDL")
        #expect(throws: DDLValidationError(kind: .undeclaredAction, message: "Attempted to call action frobnicate for rpcutil but it's not declared in the DDL")) {
            _ = try validate("frobnicate", RubyHash(), ddl: ddl)
        }
    }

    @Test("a missing required input")
    func missingInput() throws {
        let ddl = try DDLFixtures.rpcutil()
        #expect(message("get_fact", RubyHash(), ddl: ddl) == "Action get_fact needs a fact argument")
        #expect(message("get_data", RubyHash(symbolKeys: ["query": "x"]), ddl: ddl) == "Action get_data needs a source argument")
        #expect(message("get_data", RubyHash(symbolKeys: ["source": "fstat"]), ddl: ddl) == nil)
    }

    @Test("regex, length and type failures of get_fact, as shown by mco")
    func getFactFailures() throws {
        let ddl = try DDLFixtures.rpcutil()
        #expect(
            message("get_fact", RubyHash(symbolKeys: ["fact": "a b"]), ddl: ddl)
                == #"Cannot validate input fact: value should match ^[\w\-\.]+$"#)
        #expect(
            message("get_fact", RubyHash(symbolKeys: ["fact": .str(String(repeating: "x", count: 41))]), ddl: ddl)
                == "Cannot validate input fact: Input string is longer than 40 character(s)")
        #expect(message("get_fact", RubyHash(symbolKeys: ["fact": .str(String(repeating: "x", count: 40))]), ddl: ddl) == nil)
        #expect(message("get_fact", RubyHash(symbolKeys: ["fact": 3]), ddl: ddl) == "Cannot validate input fact: value should be a string")
        #expect(message("get_fact", RubyHash(symbolKeys: ["fact": .symbol("os")]), ddl: ddl) == "Cannot validate input fact: value should be a string")
        #expect(message("get_fact", RubyHash(symbolKeys: ["fact": "os.family-1_x"]), ddl: ddl) == nil)
        // Ruby's \w is ASCII only.
        #expect(message("get_fact", RubyHash(symbolKeys: ["fact": "café"]), ddl: ddl) != nil)
        #expect(
            message("get_facts", RubyHash(symbolKeys: ["facts": "role, osfamily ,x"]), ddl: ddl) == nil)
        #expect(message("get_facts", RubyHash(symbolKeys: ["facts": "role,,x"]), ddl: ddl) != nil)
    }

    @Test("length counts characters, not bytes")
    func lengthCountsCharacters() throws {
        let ddl = try DDLFixtures.sample()
        #expect(message("run", RubyHash(symbolKeys: ["service": "ééééééééé"]), ddl: ddl) == nil)
        #expect(
            message("run", RubyHash(symbolKeys: ["service": "ééééééééééé"]), ddl: ddl)
                == "Cannot validate input service: Input string is longer than 10 character(s)")
    }

    @Test("String keys are accepted and become Symbols; extra keys and process_results are kept")
    func stringKeys() throws {
        let ddl = try DDLFixtures.rpcutil()
        let result = try validate(
            "get_fact", RubyHash(stringKeys: ["fact": "osfamily", "extra": 1, "process_results": true]), ddl: ddl)
        #expect(result.pairs.map(\.key) == [.symbol("fact"), .str("extra"), .str("process_results")])
        #expect(result[.symbol("fact")] == "osfamily")

        var both = RubyHash(symbolKeys: ["fact": "symbol"])
        both.set("string", for: .str("fact"))
        let merged = try validate("get_fact", both, ddl: ddl)
        #expect(merged == RubyHash(symbolKeys: ["fact": "symbol"]))

        let ascii = RubyHash(pairs: [RubyHash.Pair(key: .ascii("fact"), value: "role")])
        #expect(try validate("get_fact", ascii, ddl: ddl) == RubyHash(symbolKeys: ["fact": "role"]))
    }

    @Test("omitted inputs with a default get it")
    func defaults() throws {
        let ddl = try DDLFixtures.sample()
        let result = try validate("run", RubyHash(symbolKeys: ["service": "nginx"]), ddl: ddl)
        #expect(result == RubyHash(symbolKeys: ["service": "nginx", "mode": "start"]))
        let given = try validate("run", RubyHash(symbolKeys: ["service": "nginx", "mode": "stop"]), ddl: ddl)
        #expect(given[.symbol("mode")] == "stop")
    }

    @Test("list inputs")
    func listInput() throws {
        let ddl = try DDLFixtures.sample()
        #expect(
            message("run", RubyHash(symbolKeys: ["service": "a", "mode": "restart"]), ddl: ddl)
                == "Cannot validate input mode: value should be one of start, stop")
    }

    @Test(
        "type checks use MCollective's typecheck wording",
        arguments: [
            ("count", RubyValue.str("3"), "value should be a integer"), ("count", 3, nil),
            ("count", .bigInt(negative: false, magnitude: [1, 0, 0, 0, 0, 0, 0, 0, 1]), nil),
            ("ratio", 1, "value should be a float"), ("ratio", 1.5, nil),
            ("size", "1", "value should be a number"), ("size", 1, nil), ("size", 1.5, nil),
            ("force", "true", "value should be a boolean"), ("force", false, nil),
            ("options", [1], "value should be a hash"), ("options", .hash(RubyHash()), nil),
            ("names", "a", "value should be a array"), ("names", ["a"], nil),
            ("anything", .nil, nil), ("anything", .symbol("x"), nil),
        ] as [(String, RubyValue, String?)])
    func typeChecks(input: String, value: RubyValue, failure: String?) throws {
        let ddl = try DDLFixtures.sample()
        var arguments = RubyHash(symbolKeys: ["service": "x"])
        arguments.set(value, forSymbol: input)
        #expect(message("run", arguments, ddl: ddl) == failure.map { "Cannot validate input \(input): \($0)" })
    }

    @Test(
        "named validators",
        arguments: [
            ("service", "nginx", nil), ("service", "a;b", "value should not have ; in it"),
            ("service", "a`b", "value should not have ` in it"), ("service", "$HOME", "value should not have $ in it"),
            ("service", "a|b", "value should not have | in it"), ("service", "a&&b", "value should not have && in it"),
            ("service", "a&b", nil), ("service", "a>b", "value should not have > in it"),
            ("service", "a<b", "value should not have < in it"),
            ("address", "10.0.0.1", nil), ("address", "10.0.0.0/8", nil), ("address", "255.255.255.255", nil),
            ("address", "256.0.0.1", "value should be an ipv4 address"), ("address", "1.2.3", "value should be an ipv4 address"),
            ("address", "01.2.3.4", "value should be an ipv4 address"), ("address", "::1", "value should be an ipv4 address"),
            ("address", "1.2.3.4/33", "value should be an ipv4 address"),
            ("address6", "::1", nil), ("address6", "::", nil), ("address6", "fe80::1:2", nil),
            ("address6", "2001:db8:0:0:0:0:2:1", nil), ("address6", "::ffff:192.0.2.1", nil), ("address6", "2001:db8::/32", nil),
            ("address6", "1:2:3:4:5:6:7::", nil), ("address6", "[::1]", nil),
            ("address6", "1:2:3:4:5:6:7:8:9", "value should be an ipv6 address"),
            ("address6", "1::2::3", "value should be an ipv6 address"), ("address6", ":::", "value should be an ipv6 address"),
            ("address6", "12345::", "value should be an ipv6 address"), ("address6", "1.2.3.4", "value should be an ipv6 address"),
            ("address6", "1:2:3:4:5:6:7", "value should be an ipv6 address"), ("address6", "g::1", "value should be an ipv6 address"),
            ("address6", ":1:2:3:4:5:6:7", "value should be an ipv6 address"),
        ] as [(String, String, String?)])
    func namedValidators(input: String, value: String, failure: String?) throws {
        let ddl = try DDLFixtures.sample()
        var arguments = RubyHash(symbolKeys: ["service": "x"])
        arguments.set(.str(value), forSymbol: input)
        #expect(message("run", arguments, ddl: ddl) == failure.map { "Cannot validate input \(input): \($0)" })
    }

    @Test("Ruby regex semantics: unanchored search, line anchors, \\h is a hex digit")
    func rubyRegexSemantics() throws {
        #expect(try RubyPattern("b").matches("abc"))
        #expect(try RubyPattern("^b$").matches("a\nb\nc"))
        #expect(try !RubyPattern("^b$").matches("ab"))
        #expect(try RubyPattern(#"^\h+$"#).matches("dead01BEEF"))
        #expect(try !RubyPattern(#"^\h+$"#).matches("xyz"))
        #expect(try RubyPattern(#"^[\h-]+$"#).matches("ab-12"))
        #expect(try !RubyPattern(#"^\d+$"#).matches("٣"))
        #expect(try !RubyPattern("^.+$").matches(""))
    }
}
