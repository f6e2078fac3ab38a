import ChorusCore
import Logging
import RubyMarshal

/// An agent written in any language: an executable beside its DDL in `<libdir>/agent/`,
/// speaking the "chorus.agent/1" protocol (docs/EXTERNAL_AGENTS.md).
///
/// The node validates each request against the DDL first (status 4 without running
/// anything), then runs `[executable, action]` without a shell under the DDL's timeout,
/// feeds it the request as JSON on standard input and maps how it ended to a reply
/// (`ExternalAgentOutcome`).
public struct ExternalAgent: RPCAgent {
    public let ddl: AgentDDL
    /// Absolute path of the program.
    public let executable: String
    /// The agent's own `plugin.<agent>.*` settings, prefix removed; sent as `config`.
    public let settings: PluginSettings
    private let logger: Logger

    public init(ddl: AgentDDL, executable: String, settings: PluginSettings, logger: Logger) {
        self.ddl = ddl
        self.executable = executable
        self.settings = settings
        self.logger = logger
    }

    /// The DDL timeout in whole seconds, as the dispatcher applies it (at least 1).
    public var timeoutSeconds: Int { max(1, ddl.metadata.timeout) }

    /// How long the program may run: the DDL timeout less a small margin, so the program is
    /// stopped and this agent's own "timed out" reply goes out before the dispatcher's generic one.
    var runTimeout: Duration { .seconds(timeoutSeconds) - .milliseconds(250) }

    /// Runs the program's activation check (blocking; startup only) and logs a decline or failure.
    public func activate(on node: any NodeContext) -> Bool {
        let document = ExternalAgentProtocol.activationDocument(agent: name, identity: node.identity, facts: node.facts, config: settings)
        var environment = SystemCommand.defaultEnvironment
        environment["CHORUS_AGENT"] = name
        let command = SystemCommand(
            executable, [ExternalAgentProtocol.activationArgument], environment: environment,
            standardInput: Array(document.utf8), timeout: ExternalAgentProtocol.activationTimeout,
            outputLimit: ExternalAgentProtocol.outputLimit)
        let decision: ExternalAgentActivation
        do {
            decision = ExternalAgentActivation.decide(try command.runBlocking())
        } catch {
            decision = .error("\(error)")
        }
        switch decision {
        case .load:
            logger.debug("external agent \(name) loaded from \(executable)")
            return true
        case .decline(let reason):
            logger.info("agent \(name) declined to load: \(reason)")
            return false
        case .error(let problem):
            logger.error("agent \(name) (\(executable)) was not loaded: \(problem)")
            return false
        }
    }

    public func perform(_ request: ActionRequest, reply: inout ActionReply, node: any NodeContext) async throws {
        let declared = ddl.action(named: request.action)?.inputs.map(\.name) ?? []
        let command = SystemCommand(
            executable, [request.action],
            environment: ExternalAgentProtocol.environment(for: request, declaredInputs: declared),
            standardInput: Array(ExternalAgentProtocol.requestDocument(request, identity: node.identity, config: settings).utf8),
            timeout: runTimeout, outputLimit: ExternalAgentProtocol.outputLimit)
        let result: SystemCommandResult
        do {
            result = try await command.run()
        } catch {
            reply.fail("\(name)#\(request.action) failed: \(error)", status: .unknownError)
            return
        }
        for line in result.standardError.split(whereSeparator: \.isNewline) {
            logger.debug("\(name)#\(request.action) (request \(request.requestID)) stderr: \(line)")
        }
        let outcome = ExternalAgentOutcome.from(result, agent: name, action: request.action, timeoutSeconds: timeoutSeconds)
        if outcome.statusCode != .ok {
            logger.debug("\(name)#\(request.action) (request \(request.requestID)): status \(outcome.statusCode.rawValue), \(outcome.statusMessage)")
        }
        for pair in outcome.data.pairs { reply.data.set(pair.value, for: pair.key) }
        reply.statusCode = outcome.statusCode
        reply.statusMessage = outcome.statusMessage
    }
}
