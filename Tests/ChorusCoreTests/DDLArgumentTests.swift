import ChorusCore
import RubyMarshal
import Testing

@Suite("Command-line arguments for an action")
struct DDLArgumentTests {
    private func run() throws -> ActionDDL { try #require(try DDLFixtures.sample().action(named: "run")) }

    @Test("key=value words become Symbol-keyed inputs converted per DDL type")
    func conversion() throws {
        let arguments = try run().parseArguments([
            "service=nginx", "count=3", "ratio=2", "size=1.5", "force=yes", "undeclared=7", "anything=1",
        ])
        #expect(
            arguments
                == RubyHash(symbolKeys: [
                    "service": "nginx", "count": 3, "ratio": 2.0, "size": 1.5, "force": true, "undeclared": "7",
                    "anything": "1",
                ]))
    }

    @Test(
        "booleans take MCollective's spellings",
        arguments: [
            ("true", true), ("T", true), ("yes", true), ("Y", true), ("1", true),
            ("false", false), ("f", false), ("NO", false), ("n", false), ("0", false),
        ])
    func booleans(text: String, value: Bool) throws {
        #expect(try run().parseArguments(["force=\(text)"]) == RubyHash(symbolKeys: ["force": .bool(value)]))
    }

    @Test("the value is everything after the first =")
    func firstEquals() throws {
        let arguments = try run().parseArguments(["service=a=b c", "service2==x"])
        #expect(arguments == RubyHash(symbolKeys: ["service": "a=b c", "service2": "=x"]))
    }

    @Test("a later duplicate replaces an earlier one")
    func duplicates() throws {
        #expect(try run().parseArguments(["count=1", "count=2"]) == RubyHash(symbolKeys: ["count": 2]))
    }

    @Test("numbers: negative, floats, and integers beyond Int become Bignums")
    func numbers() throws {
        #expect(try run().parseArguments(["count=-4"]) == RubyHash(symbolKeys: ["count": -4]))
        #expect(try run().parseArguments(["size=-0.25"]) == RubyHash(symbolKeys: ["size": -0.25]))
        #expect(
            try run().parseArguments(["count=18446744073709551621"])
                == RubyHash(symbolKeys: ["count": .bigInt(negative: false, magnitude: [5, 0, 0, 0, 0, 0, 0, 0, 1])]))
    }

    @Test(
        "words that cannot be parsed",
        arguments: [
            ("service", "Could not parse --arg service"), ("=x", "Could not parse --arg =x"),
            ("service=", "Could not parse --arg service="), ("count=three", "three does not look like a number"),
            ("count=1.2.3", "1.2.3 does not look like a number"), ("count=.5", ".5 does not look like a number"),
            ("force=maybe", "maybe does not look like a boolean argument"),
        ])
    func errors(word: String, message: String) throws {
        let action = try run()
        #expect(throws: DDLArgumentError.self) { try action.parseArguments([word]) }
        do {
            _ = try action.parseArguments([word])
        } catch {
            #expect(error.message == message)
        }
    }

    @Test("parsed arguments then validate like mco: get_fact fact=osfamily")
    func parseThenValidate() throws {
        let ddl = try DDLFixtures.rpcutil()
        var arguments = try #require(ddl.action(named: "get_fact")).parseArguments(["fact=osfamily"])
        try ddl.validateRequest(action: "get_fact", arguments: &arguments)
        #expect(arguments == RubyHash(symbolKeys: ["fact": "osfamily"]))
    }
}
