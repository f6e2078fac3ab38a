import ChorusCore
import ChorusServer
import Foundation
import RubyMarshal

/// `puppet`: runs the Puppet agent, reports its status and last run, enables and disables it,
/// and applies single resources (PE's "Control Puppet"; the original mcollective puppet agent).
///
/// State comes from Puppet's own files (see `PuppetSettings` for the paths): the disabled
/// and catalog-run locks, the daemon's pid file, last_run_summary.yaml and resources.txt.
/// Programs run only through `SystemCommand` (argv, never a shell), and only after the DDL
/// has validated the request.
public struct PuppetAgent: RPCAgent {
    public let ddl: AgentDDL
    public let settings: PuppetSettings

    public init(settings: PuppetSettings = PuppetSettings(PluginSettings())) throws {
        guard let ddl = try BuiltinDDL.named("puppet") else { throw PuppetStateFileError("the built-in puppet DDL is missing") }
        self.ddl = ddl
        self.settings = settings
    }

    var files: PuppetStateFiles { PuppetStateFiles(settings: settings) }

    /// Loads only where the run command's program exists.
    public func activate(on node: any NodeContext) -> Bool {
        SystemCommand(settings.command[0], environment: Self.environment).resolvedExecutable() != nil
    }

    /// The environment puppet runs with: the agents' fixed one, with Puppet's own bin directory on PATH.
    static let environment: [String: String] = {
        var environment = SystemCommand.defaultEnvironment
        environment["PATH", default: ""] += ":/opt/puppetlabs/bin"
        return environment
    }()

    public func perform(_ request: ActionRequest, reply: inout ActionReply, node: any NodeContext) async throws {
        switch request.action {
        case "status":
            let state = try currentState()
            for (name, value) in state.outputs(now: Self.now()) { reply[name] = value }
        case "last_run_summary":
            lastRunSummary(try readSummary(), reply: &reply)
        case "enable":
            enable(reply: &reply)
        case "disable":
            disable(message: request["message"]?.stringValue, caller: request.callerID, reply: &reply)
        case "runonce":
            try runOnce(request, reply: &reply)
        case "resource":
            try await applyResource(request, reply: &reply)
        default:
            throw RPCError.unknownAction("Unknown action \(request.action) for agent puppet")
        }
    }

    func currentState() throws -> PuppetAgentState {
        do {
            return try files.state()
        } catch {
            throw RPCError.aborted("Cannot read Puppet's state: \(error.description)")
        }
    }

    func readSummary() throws -> LastRunSummary {
        do {
            return try files.lastRunSummary()
        } catch {
            throw RPCError.aborted("Cannot read the last run summary: \(error.description)")
        }
    }

    private func lastRunSummary(_ summary: LastRunSummary, reply: inout ActionReply) {
        var distribution = RubyHash()
        for entry in PuppetManagedResources.typeDistribution(files.managedResources()) {
            distribution.set(.int(entry.count), for: .str(entry.type))
        }
        reply["type_distribution"] = .hash(distribution)
        for (name, value) in Self.summaryOutputs(summary, now: Self.now()) { reply[name] = value }
        reply["summary"] = .hash(summary.document)
    }

    /// The numbers `last_run_summary` and the `resource()` data plugin share.
    static func summaryOutputs(_ summary: LastRunSummary, now: Int) -> [(String, RubyValue)] {
        [
            ("out_of_sync_resources", .int(summary.outOfSyncResources)), ("failed_resources", .int(summary.failedResources)),
            ("corrected_resources", .int(summary.correctedResources)), ("changed_resources", .int(summary.changedResources)),
            ("total_resources", .int(summary.totalResources)), ("total_time", .float(summary.totalTime)),
            ("config_retrieval_time", .float(summary.configRetrievalTime)), ("lastrun", .int(summary.lastRun)),
            ("since_lastrun", .int(now - summary.lastRun)), ("config_version", .str(summary.configVersion)),
        ]
    }

    private func enable(reply: inout ActionReply) {
        if files.disableMessage() == nil {
            reply["status"] = .str("Could not enable Puppet: Already enabled")
            reply.fail("Could not enable Puppet: Already enabled")
        } else {
            do {
                try files.removeDisabledLock()
                reply["status"] = .str("Successfully enabled the Puppet agent")
            } catch {
                reply["status"] = .str("Could not enable Puppet: \(error)")
                reply.fail("Could not enable Puppet: \(error)")
            }
        }
        reply["enabled"] = .bool(files.disableMessage() == nil)
    }

    private func disable(message: String?, caller: String, reply: inout ActionReply) {
        if files.disableMessage() != nil {
            reply["status"] = .str("Could not disable Puppet: Already disabled")
            reply.fail("Could not disable Puppet: Already disabled")
        } else {
            let text = message ?? "Disabled via Chorus by \(caller) at \(Self.localTime())"
            do {
                try files.writeDisabledLock(message: text)
                reply["status"] = .str("Successfully locked the Puppet agent: \(text)")
            } catch {
                reply["status"] = .str("Could not disable Puppet: \(error)")
                reply.fail("Could not disable Puppet: \(error)")
            }
        }
        reply["enabled"] = .bool(files.disableMessage() == nil)
    }

    static func now() -> Int { Int(Date().timeIntervalSince1970) }

    /// Local time as `%F %R` (2024-05-01 14:03).
    static func localTime() -> String {
        var seconds = time(nil)
        var parts = tm()
        localtime_r(&seconds, &parts)
        var buffer = [CChar](repeating: 0, count: 32)
        let count = strftime(&buffer, buffer.count, "%F %R", &parts)
        return String(decoding: buffer[..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
