import ChorusCore
import RubyMarshal

/// The "chorus.agent/1" protocol between a node and an external agent program
/// (docs/EXTERNAL_AGENTS.md): what the program receives for one action. Pure functions from
/// a validated request to the program's argv, standard input and environment.
///
/// The program runs as `[path, action]`, without a shell. Its standard input is one JSON
/// object; its environment is `SystemCommand.defaultEnvironment` plus `CHORUS_AGENT`,
/// `CHORUS_ACTION`, `CHORUS_REQUEST_ID`, `CHORUS_CALLER` and `CHORUS_INPUT_<NAME>` for each
/// declared scalar input, so a shell agent needs no JSON parser.
public enum ExternalAgentProtocol {
    /// The `protocol` value of an action request.
    public static let version = "chorus.agent/1"
    /// The `protocol` value of an activation check.
    public static let activationVersion = "chorus.agent.activate/1"
    /// The single argument of an activation check (`[path, "--chorus-activate"]`).
    public static let activationArgument = "--chorus-activate"
    /// The most bytes of standard output (and of standard error) kept from one run.
    public static let outputLimit = 1 << 20
    /// How long an activation check may run.
    public static let activationTimeout: Duration = .seconds(10)
    /// Longest input value exported as a `CHORUS_INPUT_*` variable (Linux refuses a single
    /// environment string over 128 KiB); longer values reach the program on standard input only.
    public static let environmentValueLimit = 32 * 1024

    /// The JSON object written to the program's standard input for one action.
    ///
    /// Keys, in order: `protocol`, `agent`, `action`, `data` (the inputs after DDL validation,
    /// defaults applied), `caller`, `sender`, `requestid`, `collective`, `identity` (this node)
    /// and `config` (the agent's `plugin.<agent>.*` settings, prefix removed).
    public static func requestDocument(_ request: ActionRequest, identity: String, config: PluginSettings) -> String {
        let document = RubyHash(stringKeys: [
            "protocol": .str(version),
            "agent": .str(request.agent),
            "action": .str(request.action),
            "data": .hash(request.arguments),
            "caller": .str(request.callerID),
            "sender": .str(request.senderID),
            "requestid": .str(request.requestID),
            "collective": .str(request.collective),
            "identity": .str(identity),
            "config": .hash(configHash(config)),
        ])
        return RubyValue.hash(document).jsonString()
    }

    /// The JSON object written to the program's standard input for its activation check:
    /// `protocol`, `agent`, `identity`, `facts` (the node's facts) and `config` (as for actions).
    public static func activationDocument(agent: String, identity: String, facts: RubyHash, config: PluginSettings) -> String {
        let document = RubyHash(stringKeys: [
            "protocol": .str(activationVersion),
            "agent": .str(agent),
            "identity": .str(identity),
            "facts": .hash(facts),
            "config": .hash(configHash(config)),
        ])
        return RubyValue.hash(document).jsonString()
    }

    /// The `CHORUS_*` variables of one action run, added to the fixed command environment.
    ///
    /// Only inputs the action's DDL declares are exported (undeclared ones are unchecked and
    /// travel on standard input only), and only scalar ones: Strings as their text, numbers
    /// and booleans as JSON writes them. Values containing a NUL byte or longer than
    /// `environmentValueLimit` bytes are left out.
    public static func environment(for request: ActionRequest, declaredInputs: [String]) -> [String: String] {
        var environment = SystemCommand.defaultEnvironment
        environment["CHORUS_AGENT"] = request.agent
        environment["CHORUS_ACTION"] = request.action
        environment["CHORUS_REQUEST_ID"] = request.requestID
        environment["CHORUS_CALLER"] = request.callerID
        for name in declaredInputs {
            guard let value = request.arguments[name], let text = scalarText(value) else { continue }
            guard !text.utf8.contains(0), text.utf8.count <= environmentValueLimit else { continue }
            environment[inputVariable(name)] = text
        }
        return environment
    }

    /// `CHORUS_INPUT_<NAME>`: the input's name upper-cased, anything but letters, digits and `_` as `_`.
    public static func inputVariable(_ name: String) -> String {
        let upper = name.uppercased().unicodeScalars.map { scalar -> Character in
            let plain = ("A"..."Z").contains(scalar) || ("0"..."9").contains(scalar) || scalar == "_"
            return plain ? Character(scalar) : "_"
        }
        return "CHORUS_INPUT_" + String(upper)
    }

    /// The text of a scalar value, nil for nil, arrays and hashes.
    static func scalarText(_ value: RubyValue) -> String? {
        switch value {
        case .string, .symbol: return value.stringValue
        case .bool, .int, .bigInt, .float: return value.jsonString()
        case .nil, .array, .hash, .regexp: return nil
        }
    }

    private static func configHash(_ settings: PluginSettings) -> RubyHash {
        var hash = RubyHash()
        for key in settings.values.keys.sorted() {
            hash.set(.str(settings.values[key] ?? ""), for: .str(key))
        }
        return hash
    }
}
