import ChorusCore
import ChorusServer
import RubyMarshal
import Testing

/// The pure halves of the external agent protocol: what a program receives, and how its
/// exit and output become a reply or an activation decision.
@Suite("External agents: protocol documents and reply mapping")
struct ExternalAgentOutcomeTests {
    static func run(exit: Int32? = 0, signal: Int32? = nil, timedOut: Bool = false, stdout: String = "", stderr: String = "", truncated: Bool = false) -> SystemCommandResult {
        SystemCommandResult(
            command: "/x/kv get", exitStatus: exit, signal: signal, timedOut: timedOut, standardOutput: stdout,
            standardError: stderr, outputTruncated: truncated, duration: .milliseconds(5))
    }

    static func outcome(_ run: SystemCommandResult) -> ExternalAgentOutcome {
        ExternalAgentOutcome.from(run, agent: "kv", action: "get", timeoutSeconds: 3)
    }

    @Test("exit 0 with a reply: its status, message and typed data (keys become Symbols)")
    func successfulReply() {
        let ok = Self.outcome(Self.run(stdout: #"{"data": {"value": "x", "count": 3, "ratio": 0.5, "found": true, "keys": ["a"], "nested": {"k": null}}}"#))
        #expect(ok.statusCode == .ok)
        #expect(ok.statusMessage == "OK")
        #expect(ok.data[.symbol("value")] == .str("x"))
        #expect(ok.data[.symbol("count")] == .int(3))
        #expect(ok.data[.symbol("ratio")] == .float(0.5))
        #expect(ok.data[.symbol("found")] == .bool(true))
        #expect(ok.data[.symbol("keys")] == .array([.str("a")]))
        #expect(ok.data[.symbol("nested")] == .hash(RubyHash(stringKeys: ["k": .nil])))

        let failed = Self.outcome(Self.run(stdout: "{\"statuscode\": 1, \"statusmsg\": \"no key named x\", \"data\": {\"found\": false}}\n"))
        #expect(failed.statusCode == .aborted)
        #expect(failed.statusMessage == "no key named x")
        #expect(failed.data[.symbol("found")] == .bool(false))

        let wordOnly = Self.outcome(Self.run(stdout: #"{"statuscode": 3}"#))
        #expect(wordOnly.statusCode == .missingData)
        #expect(wordOnly.statusMessage == "Missing Request Data")
        #expect(Self.outcome(Self.run(stdout: "{}")) == ExternalAgentOutcome(statusCode: .ok, statusMessage: "OK"))
    }

    @Test("exit 0 without a JSON object, or with malformed fields, is status 5 saying what was wrong")
    func invalidReplies() {
        let empty = Self.outcome(Self.run(stdout: "  \n"))
        #expect(empty.statusCode == .unknownError)
        #expect(empty.statusMessage == "kv#get did not answer with a JSON object: the output was empty")

        let text = Self.outcome(Self.run(stdout: "hello world"))
        #expect(text.statusCode == .unknownError)
        #expect(text.statusMessage.hasPrefix("kv#get did not answer with a JSON object: "))
        #expect(text.statusMessage.contains("hello world"))

        #expect(Self.outcome(Self.run(stdout: "[1, 2]")).statusMessage == "kv#get did not answer with a JSON object: got an array instead")
        #expect(Self.outcome(Self.run(stdout: #"{"statuscode": 9}"#)).statusMessage == "kv#get answered with an invalid reply: statuscode should be an integer from 0 to 5, not 9")
        #expect(Self.outcome(Self.run(stdout: #"{"statuscode": "1"}"#)).statusCode == .unknownError)
        #expect(Self.outcome(Self.run(stdout: #"{"statusmsg": 4}"#)).statusMessage == "kv#get answered with an invalid reply: statusmsg should be a string, not 4")
        #expect(Self.outcome(Self.run(stdout: #"{"data": [1]}"#)).statusMessage == "kv#get answered with an invalid reply: data should be a JSON object, not an array")

        let huge = String(repeating: "x", count: ExternalAgentProtocol.outputLimit)
        let truncated = Self.outcome(Self.run(stdout: "{\"data\": {\"v\": \"" + huge, truncated: true))
        #expect(truncated.statusMessage == "kv#get did not answer with a JSON object: the output exceeded the 1048576 byte limit")
    }

    @Test("a non-zero exit is status 5 with the last stderr line, unless the reply carries its own status 1-5")
    func failedExits() {
        let crashed = Self.outcome(Self.run(exit: 1, stderr: "Traceback (most recent call last):\n  File \"kv\", line 3\nValueError: not an integer\n\n"))
        #expect(crashed.statusCode == .unknownError)
        #expect(crashed.statusMessage == "kv#get failed: exited with status 1: ValueError: not an integer")

        let silent = Self.outcome(Self.run(exit: 7))
        #expect(silent.statusMessage == "kv#get failed: exited with status 7")

        let ownStatus = Self.outcome(Self.run(exit: 2, stdout: #"{"statuscode": 4, "statusmsg": "bad key", "data": {"key": "k"}}"#, stderr: "oops"))
        #expect(ownStatus == ExternalAgentOutcome(statusCode: .invalidData, statusMessage: "bad key", data: RubyHash(symbolKeys: ["key": .str("k")])))

        let ownStatusNoMessage = Self.outcome(Self.run(exit: 2, stdout: #"{"statuscode": 1}"#, stderr: "went wrong"))
        #expect(ownStatusNoMessage.statusCode == .aborted)
        #expect(ownStatusNoMessage.statusMessage == "kv#get failed: exited with status 2: went wrong")

        let claimsSuccess = Self.outcome(Self.run(exit: 3, stdout: #"{"statuscode": 0, "data": {"key": "k"}}"#))
        #expect(claimsSuccess.statusCode == .unknownError)
        #expect(claimsSuccess.statusMessage == "kv#get failed: exited with status 3")
        #expect(claimsSuccess.data[.symbol("key")] == .str("k"))

        let killed = Self.outcome(Self.run(exit: nil, signal: 9))
        #expect(killed.statusMessage == "kv#get failed: was killed by signal 9")

        let timedOut = Self.outcome(Self.run(exit: nil, signal: 15, timedOut: true, stdout: #"{"data": {}}"#))
        #expect(timedOut == ExternalAgentOutcome(statusCode: .unknownError, statusMessage: "kv#get timed out after 3 s"))
    }

    @Test("activation: exit 0 loads, exit 1 declines with the first line, anything else is an error")
    func activation() {
        #expect(ExternalAgentActivation.decide(Self.run(exit: 0, stdout: "ignored")) == .load)
        #expect(ExternalAgentActivation.decide(Self.run(exit: 1, stdout: "\n  needs dpkg  \nsecond line")) == .decline(reason: "needs dpkg"))
        #expect(ExternalAgentActivation.decide(Self.run(exit: 1, stderr: "no facter")) == .decline(reason: "no facter"))
        #expect(ExternalAgentActivation.decide(Self.run(exit: 1)) == .decline(reason: "no reason given"))
        #expect(ExternalAgentActivation.decide(Self.run(exit: 2, stderr: "syntax error")) == .error("the activation check exited with status 2 (0 loads, 1 declines): syntax error"))
        #expect(ExternalAgentActivation.decide(Self.run(exit: nil, signal: 11)) == .error("the activation check was killed by signal 11"))
        #expect(ExternalAgentActivation.decide(Self.run(exit: nil, signal: 15, timedOut: true)) == .error("the activation check did not finish within 10 s"))
    }

    static let request = ActionRequest(
        agent: "kv", action: "set",
        arguments: RubyHash(symbolKeys: [
            "key": .str("motd"), "value": .str("a \"quoted\" $(value); rm -rf /"), "by": .int(-2), "ratio": .float(2.5),
            "force": .bool(true), "tags": .array([.str("x")]), "blank": .nil, "odd-name": .str("v"), "nul": .str("a\u{0}b"),
            "undeclared": .str("u"),
        ]),
        callerID: "uid=0", senderID: "client1", requestID: "0123abcd", collective: "mcollective")

    @Test("the request document: every protocol key, in order, with the inputs and the agent's settings")
    func requestDocument() throws {
        let text = ExternalAgentProtocol.requestDocument(Self.request, identity: "node1", config: PluginSettings(["directory": "/srv/kv", "audit_log": "/var/log/kv"]))
        #expect(text.hasPrefix(#"{"protocol":"chorus.agent/1","agent":"kv","action":"set","data":{"key":"motd","value":"a \"quoted\" $(value); rm -rf /","by":-2,"ratio":2.5,"#))
        let document = try RubyValue(json: text)
        #expect(document.asHash?.keys.compactMap(\.stringValue) == ["protocol", "agent", "action", "data", "caller", "sender", "requestid", "collective", "identity", "config"])
        #expect(document["caller"] == .str("uid=0") && document["sender"] == .str("client1") && document["requestid"] == .str("0123abcd"))
        #expect(document["collective"] == .str("mcollective") && document["identity"] == .str("node1"))
        #expect(document["config"] == .hash(RubyHash(stringKeys: ["audit_log": .str("/var/log/kv"), "directory": .str("/srv/kv")])))
        #expect(document["data"]?["tags"] == .array([.str("x")]))
        #expect(document["data"]?["undeclared"] == .str("u"))

        let activation = try RubyValue(json: ExternalAgentProtocol.activationDocument(agent: "kv", identity: "node1", facts: RubyHash(stringKeys: ["role": .str("web")]), config: PluginSettings(["directory": "/srv/kv"])))
        #expect(activation["protocol"] == .str("chorus.agent.activate/1"))
        #expect(activation["facts"]?["role"] == .str("web"))
        #expect(activation["config"]?["directory"] == .str("/srv/kv"))
    }

    @Test("the environment: fixed variables, CHORUS_* and each declared scalar input")
    func environment() {
        let declared = ["key", "value", "by", "ratio", "force", "tags", "blank", "odd-name", "nul"]
        let environment = ExternalAgentProtocol.environment(for: Self.request, declaredInputs: declared)
        #expect(environment["PATH"] == SystemCommand.defaultEnvironment["PATH"])
        #expect(environment["LC_ALL"] == "C")
        #expect(environment["CHORUS_AGENT"] == "kv" && environment["CHORUS_ACTION"] == "set")
        #expect(environment["CHORUS_REQUEST_ID"] == "0123abcd" && environment["CHORUS_CALLER"] == "uid=0")
        #expect(environment["CHORUS_INPUT_KEY"] == "motd")
        #expect(environment["CHORUS_INPUT_VALUE"] == "a \"quoted\" $(value); rm -rf /")
        #expect(environment["CHORUS_INPUT_BY"] == "-2")
        #expect(environment["CHORUS_INPUT_RATIO"] == "2.5")
        #expect(environment["CHORUS_INPUT_FORCE"] == "true")
        #expect(environment["CHORUS_INPUT_ODD_NAME"] == "v")
        // Not scalar, nil, containing NUL, or undeclared: standard input only.
        for absent in ["CHORUS_INPUT_TAGS", "CHORUS_INPUT_BLANK", "CHORUS_INPUT_NUL", "CHORUS_INPUT_UNDECLARED"] {
            #expect(environment[absent] == nil, "\(absent)")
        }
        #expect(ExternalAgentProtocol.inputVariable("fact.name") == "CHORUS_INPUT_FACT_NAME")
    }
}
