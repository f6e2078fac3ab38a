import ChorusCore
import Foundation
import RubyMarshal
import Testing

@Suite("DDL loading")
struct DDLLoadingTests {
    @Test("rpcutil.json describes every rpcutil action as MCollective's DDL does")
    func rpcutilDDL() throws {
        let ddl = try DDLFixtures.rpcutil()
        #expect(ddl.kind == .agent)
        #expect(ddl.metadata.name == "rpcutil")
        #expect(ddl.metadata.timeout == 10)
        #expect(
            ddl.actions.map(\.name) == [
                "collective_info", "inventory", "get_fact", "get_facts", "daemon_stats", "agent_inventory",
                "get_config_item", "get_data", "ping",
            ])
        #expect(ddl.actions.allSatisfy { $0.display == .always })

        let getFact = try #require(ddl.action(named: "get_fact"))
        let fact = try #require(getFact.input(named: "fact"))
        #expect(fact.type == .string)
        #expect(fact.validation?.source == #"^[\w\-\.]+$"#)
        #expect(fact.maxLength == 40)
        #expect(!fact.optional)
        #expect(getFact.outputs.map(\.displayAs) == ["Fact", "Value"])
        #expect(getFact.aggregates == [AggregateSpec(function: .summary, output: "value")])

        let getFacts = try #require(ddl.action(named: "get_facts"))
        #expect(getFacts.inputs.first?.validation?.source == #"^\s*[\w\.\-]+(\s*,\s*[\w\.\-]+)*$"#)
        #expect(getFacts.inputs.first?.maxLength == 200)

        let stats = try #require(ddl.action(named: "daemon_stats"))
        #expect(
            stats.outputs.map(\.name) == [
                "threads", "agents", "pid", "times", "validated", "unvalidated", "passed", "filtered", "starttime",
                "total", "replies", "configfile", "version", "ttlexpired",
            ])
        #expect(stats.aggregates.map(\.output) == ["version", "agents"])
        #expect(ddl.action(named: "collective_info")?.aggregates.map(\.output) == ["collectives"])
        #expect(ddl.action(named: "get_config_item")?.outputs.map(\.displayAs) == ["Property", "Value"])
        #expect(ddl.action(named: "get_config_item")?.input(named: "item")?.maxLength == 50)

        let getData = try #require(ddl.action(named: "get_data"))
        #expect(getData.inputs.map(\.name) == ["source", "query"])
        #expect(getData.inputs.map(\.optional) == [false, true])
        #expect(getData.inputs.map { $0.validation?.source } == [#"^\w+$"#, "^.+$"])
        #expect(getData.outputs.isEmpty)

        #expect(ddl.action(named: "ping")?.outputs.map(\.displayAs) == ["Timestamp"])
        #expect(
            ddl.action(named: "inventory")?.outputs.map(\.displayAs) == [
                "Agents", "Facts", "Classes", "Version", "Main Collective", "All Collectives", "Data Plugins",
            ])
    }

    @Test("discovery.json: timeout 5, one ping action")
    func discoveryDDL() throws {
        let ddl = try DDLFixtures.discovery()
        #expect(ddl.metadata.name == "discovery")
        #expect(ddl.metadata.timeout == 5)
        #expect(ddl.actions.map(\.name) == ["ping"])
        #expect(ddl.action(named: "ping")?.defaultReplyData() == RubyHash(symbolKeys: ["message": "pong"]))
    }

    @Test("every input type, named validators, list values and defaults load")
    func sampleLoads() throws {
        let action = try #require(try DDLFixtures.sample().action(named: "run"))
        #expect(action.display == .ok)
        #expect(
            action.inputs.map(\.type.name) == [
                "string", "list", "integer", "float", "number", "boolean", "hash", "array", "any", "string", "string",
            ])
        #expect(action.inputs[0].validation == .validator(.shellsafe))
        #expect(action.inputs[1].type.allowedValues == ["start", "stop"])
        #expect(action.inputs[1].default == "start")
        #expect(action.aggregates.last == AggregateSpec(function: .average, output: "took", format: "%.1f"))
    }

    @Test("display defaults to failed, as in MCollective")
    func displayDefault() throws {
        let ddl = try AgentDDL.load(json: Self.minimal(action: #"{"name": "a", "description": "d"}"#))
        #expect(ddl.actions.first?.display == .failed)
        #expect(ddl.actions.first?.inputs.isEmpty == true)
    }

    @Test("a data plugin DDL has one query action with a query input")
    func dataPlugin() throws {
        let json = """
            {"type": "data",
             "metadata": {"name": "fstat", "description": "File information", "author": "a", "license": "l",
                          "version": "1", "url": "u", "timeout": 1},
             "query": {"description": "Stat a file",
                       "input": {"prompt": "File", "description": "Path", "type": "string", "validation": "^.+$", "max_length": 120},
                       "outputs": [{"name": "size", "description": "Bytes", "display_as": "Size", "default": 0}]}}
            """
        let ddl = try AgentDDL.load(json: json)
        #expect(ddl.kind == .data)
        let query = try #require(ddl.dataQuery)
        #expect(query.name == "query")
        #expect(query.inputs.map(\.name) == ["query"])
        #expect(query.outputs.first?.default == 0)
        #expect(throws: Never.self) { try ddl.validateQuery("/etc/hosts") }
        #expect(throws: DDLValidationError.self) { try ddl.validateQuery("") }
    }

    @Test(
        "load errors name the place and the problem",
        arguments: [
            (#"{"name": "a", "description": "d", "display": "sometimes"}"#,
             "actions[0] (a).display: unknown display 'sometimes' (expected always, ok or failed)"),
            (#"{"name": "a", "description": "d", "inputs": [{"name": "x", "prompt": "p", "description": "d", "type": "strng"}]}"#,
             "actions[0] (a).inputs[0] (x).type: unknown type 'strng' (expected one of string, integer, float, number, boolean, list, hash, array, any)"),
            (#"{"name": "a", "description": "d", "inputs": [{"name": "x", "prompt": "p", "description": "d", "type": "string", "maxlength": 3}]}"#,
             "actions[0] (a).inputs[0] (x).maxlength: unknown key"),
            (#"{"name": "a", "description": "d", "inputs": [{"name": "x", "prompt": "p", "description": "d", "type": "string", "validation": "shelsafe"}]}"#,
             "actions[0] (a).inputs[0] (x).validation: unknown validator 'shelsafe' (known: shellsafe, ipv4address, ipv6address, service_name, puppet_variable, puppet_server_address, puppet_tags)"),
            (#"{"name": "a", "description": "d", "inputs": [{"name": "x", "prompt": "p", "description": "d", "type": "string", "validation": "^(unclosed$"}]}"#,
             "actions[0] (a).inputs[0] (x).validation: invalid regular expression ^(unclosed$"),
            (#"{"name": "a", "description": "d", "inputs": [{"name": "x", "prompt": "p", "description": "d", "type": "integer", "validation": "^1$"}]}"#,
             "actions[0] (a).inputs[0] (x).validation: only string inputs take a validation"),
            (#"{"name": "a", "description": "d", "inputs": [{"name": "x", "prompt": "p", "description": "d", "type": "integer", "default": "three"}]}"#,
             "actions[0] (a).inputs[0] (x).default: the default fails the input's own check: value should be a integer"),
            (#"{"name": "a", "description": "d", "inputs": [{"name": "x", "prompt": "p", "description": "d", "type": "list"}]}"#,
             "actions[0] (a).inputs[0] (x).list: missing required key"),
            (#"{"name": "a", "description": "d", "outputs": [{"name": "o", "description": "d"}]}"#,
             "actions[0] (a).outputs[0] (o).display_as: missing required key"),
            (#"{"name": "a", "description": "d", "aggregates": [{"function": "summary", "output": "nope"}]}"#,
             "actions[0] (a).aggregates[0]: aggregate of undeclared output 'nope'"),
            (#"{"name": "a", "description": "d", "outputs": [{"name": "o", "description": "d", "display_as": "O"}], "aggregates": [{"function": "median", "output": "o"}]}"#,
             "actions[0] (a).aggregates[0].function: unknown aggregate function 'median' (expected one of summary, average, sum)"),
            (#"{"description": "d"}"#, "actions[0].name: missing required key"),
        ])
    func loadErrors(action: String, expected: String) {
        do {
            _ = try AgentDDL.load(json: Self.minimal(action: action), file: "x.json")
            Issue.record("loaded an invalid DDL")
        } catch {
            #expect(error.description.hasPrefix("x.json: " + expected))
        }
    }

    @Test("syntax errors carry line and column")
    func syntaxErrors() {
        for (text, location) in [("{\n  ,}", "line 2, column 3"), ("[", "line 1, column 2"), ("{\"a\": 1,\n\"b\" 2}", "line 2, column 5")] {
            do {
                _ = try AgentDDL.load(json: text, file: "f.json")
                Issue.record("parsed invalid JSON \(text)")
            } catch {
                #expect(error.file == "f.json")
                #expect(error.location == location)
                #expect(!error.message.isEmpty)
            }
        }
        #expect(throws: DDLLoadError(file: nil, location: "", message: "expected an object")) {
            try AgentDDL.load(json: #"["not", "an", "object"]"#)
        }
    }

    @Test("hostile documents fail quickly without crashing")
    func hostileDocuments() {
        let deep = String(repeating: "[", count: 100_000)
        #expect(throws: DDLLoadError.self) { try AgentDDL.load(json: deep) }
        for text in ["", "{", "{\"a\"", "\"\\u12", "\"\\ud800\"", "-", "01", "1e", "nul", "{\"a\":1,}", "\"\u{01}\""] {
            #expect(throws: DDLLoadError.self) { try AgentDDL.load(json: text) }
        }
    }

    @Test("missing file is a load error naming the file")
    func missingFile() {
        do {
            _ = try AgentDDL.load(contentsOf: "/nonexistent/ddl.json")
            Issue.record("loaded a missing file")
        } catch {
            #expect(error.file == "/nonexistent/ddl.json")
            #expect(error.message.hasPrefix("cannot read the file"))
        }
    }

    @Test("defaultReplyData lists every output as a Symbol with its default, in DDL order")
    func defaultReplyData() throws {
        let rpcutil = try DDLFixtures.rpcutil()
        let data = try #require(rpcutil.action(named: "get_config_item")).defaultReplyData()
        #expect(data == RubyHash(symbolKeys: ["item": .nil, "value": .nil]))
        let sample = try #require(try DDLFixtures.sample().action(named: "run")).defaultReplyData()
        #expect(sample == RubyHash(symbolKeys: ["status": "unknown", "took": .nil]))
    }

    static func minimal(action: String) -> String {
        """
        {"metadata": {"name": "t", "description": "d", "author": "a", "license": "l", "version": "1", "url": "u", "timeout": 1},
         "actions": [\(action)]}
        """
    }
}

@Suite("docs/DDL.md")
struct DDLDocumentationTests {
    @Test("every JSON example in docs/DDL.md loads and behaves as described")
    func examplesLoad() throws {
        var parts = #filePath.split(separator: "/", omittingEmptySubsequences: false)
        parts.removeLast(3)
        let path = parts.joined(separator: "/") + "/docs/DDL.md"
        let text = try String(contentsOfFile: path, encoding: .utf8)
        let blocks = text.components(separatedBy: "```json\n").dropFirst().map { $0.components(separatedBy: "\n```")[0] }
        #expect(blocks.count == 2)
        let ddls = try blocks.map { try AgentDDL.load(json: $0, file: path) }
        #expect(ddls.map(\.kind) == [.agent, .data])
        var arguments = try #require(ddls[0].action(named: "restart")).parseArguments(["service=nginx"])
        try ddls[0].validateRequest(action: "restart", arguments: &arguments)
        #expect(arguments == RubyHash(symbolKeys: ["service": "nginx", "mode": "restart"]))
        #expect(throws: Never.self) { try ddls[1].validateQuery("/etc/hosts") }
        #expect(throws: DDLValidationError.self) { try ddls[1].validateQuery("etc/hosts") }
    }
}
