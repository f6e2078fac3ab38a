import ChorusCore
import ChorusServer
import Foundation
import RubyMarshal

/// `puppet()`: the Puppet agent's state for `-S` filters and `rpcutil get_data`, e.g.
/// `-S "puppet().enabled=false"` or `-S "puppet().since_lastrun > 1800"`.
public struct PuppetDataPlugin: DataPlugin {
    public let settings: PuppetSettings

    public init(settings: PuppetSettings) { self.settings = settings }

    public let ddl = AgentDDL.dataPlugin(
        PuppetDataDDL.metadata(name: "puppet", description: "Information about the Puppet agent's state"),
        queryDescription: "Puppet agent state", input: nil,
        outputs: [
            OutputDDL(name: "applying", description: "Whether a catalog is being applied", displayAs: "Applying", default: false),
            OutputDDL(name: "enabled", description: "Whether the agent is enabled (not locked)", displayAs: "Enabled", default: false),
            OutputDDL(name: "daemon_present", description: "Whether the agent daemon is running", displayAs: "Daemon Running", default: false),
            OutputDDL(name: "lastrun", description: "When the agent last applied a catalog (seconds since the epoch)", displayAs: "Last Run", default: 0),
            OutputDDL(name: "since_lastrun", description: "Seconds since the agent last applied a catalog", displayAs: "Since Last Run", default: -1),
            OutputDDL(name: "status", description: "disabled, applying a catalog, idling or stopped", displayAs: "Status", default: "unknown"),
            OutputDDL(name: "disable_message", description: "The message given when the agent was disabled", displayAs: "Lock Message", default: ""),
            OutputDDL(name: "idling", description: "Whether the agent daemon runs but applies nothing now", displayAs: "Idling", default: false),
        ])

    public func query(_ argument: String?, node: some DataPluginNode) throws(DataPluginError) -> RubyHash {
        let state: PuppetAgentState
        do {
            state = try PuppetStateFiles(settings: settings).state()
        } catch {
            throw .failed(plugin: name, message: error.description)
        }
        var result = emptyResult()
        let wanted = Set(outputs.map(\.name))
        for (key, value) in state.outputs(now: PuppetAgent.now()) where wanted.contains(key) {
            result.set(value, forSymbol: key)
        }
        return result
    }
}

/// `resource()`: the last run's resource counts and times, and with a query
/// (`resource('file[/srv/www]').managed=true`) whether the catalog manages that resource.
public struct ResourceDataPlugin: DataPlugin {
    public let settings: PuppetSettings

    public init(settings: PuppetSettings) { self.settings = settings }

    public let ddl = AgentDDL.dataPlugin(
        PuppetDataDDL.metadata(name: "resource", description: "Information about Puppet managed resources"),
        queryDescription: "Puppet managed resources",
        input: InputDDL(
            name: AgentDDL.dataQueryName, prompt: "Resource name", description: "A resource reference such as file[/srv/www] or Service[ntp]",
            type: .string, validation: (try? RubyPattern("\\A[a-zA-Z0-9_:]+\\[.+\\]\\z")).map(InputValidation.pattern), maxLength: 120,
            optional: true),
        outputs: [
            OutputDDL(name: "managed", description: "Whether the last catalog managed the resource", displayAs: "Managed", default: false),
            OutputDDL(name: "out_of_sync_resources", description: "Resources that were not in their desired state", displayAs: "Out of Sync Resources", default: -1),
            OutputDDL(name: "failed_resources", description: "Resources that failed to apply", displayAs: "Failed Resources", default: -1),
            OutputDDL(name: "corrected_resources", description: "Resources that were changed correctively", displayAs: "Corrected Resources", default: -1),
            OutputDDL(name: "changed_resources", description: "Resources that were changed", displayAs: "Changed Resources", default: -1),
            OutputDDL(name: "total_resources", description: "Resources managed on the node", displayAs: "Total Resources", default: 0),
            OutputDDL(name: "total_time", description: "Seconds taken to retrieve and apply the catalog", displayAs: "Total Time", default: 0),
            OutputDDL(name: "config_retrieval_time", description: "Seconds taken to retrieve the catalog", displayAs: "Config Retrieval Time", default: -1),
            OutputDDL(name: "lastrun", description: "When the agent last applied a catalog (seconds since the epoch)", displayAs: "Last Run", default: 0),
            OutputDDL(name: "since_lastrun", description: "Seconds since the agent last applied a catalog", displayAs: "Since Last Run", default: "Unknown"),
            OutputDDL(name: "config_version", description: "The configuration version of the last applied catalog", displayAs: "Config Version"),
        ])

    public func query(_ argument: String?, node: some DataPluginNode) throws(DataPluginError) -> RubyHash {
        let files = PuppetStateFiles(settings: settings)
        let summary: LastRunSummary
        do {
            summary = try files.lastRunSummary()
        } catch {
            throw .failed(plugin: name, message: error.description)
        }
        var result = emptyResult()
        if let argument {
            result.set(.bool(Self.isManaged(argument, in: files.managedResources())), forSymbol: "managed")
        }
        for (key, value) in PuppetAgent.summaryOutputs(summary, now: PuppetAgent.now()) {
            result.set(value, forSymbol: key)
        }
        return result
    }

    /// Whether `reference` (`File[/x]`, `file[/x]`) is among resources.txt's lines (compared
    /// in lower case, as Puppet records them).
    static func isManaged(_ reference: String, in managed: [String]) -> Bool {
        reference.contains("[") && PuppetManagedResources.contains(reference, in: managed)
    }
}

enum PuppetDataDDL {
    static func metadata(name: String, description: String) -> PluginMetadata {
        PluginMetadata(
            name: name, description: description, author: "The Chorus authors", license: "Apache License, Version 2.0",
            version: "1.0", url: "https://puppet.com/docs/puppet/7/man/agent.html", timeout: 1)
    }
}

/// The puppet agent's data plugins, `puppet()` and `resource()`, as values with their DDLs
/// (`BuiltinAgents.dataPlugins` hosts them on nodes; clients can read their DDLs from here).
public enum PuppetDataPlugins {
    public static func all(settings: PuppetSettings = PuppetSettings(PluginSettings())) -> [any DataPlugin] {
        [PuppetDataPlugin(settings: settings), ResourceDataPlugin(settings: settings)]
    }
}
