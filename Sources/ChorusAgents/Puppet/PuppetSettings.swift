import ChorusServer

/// Where the Puppet agent keeps its state on a node, and how the `puppet` agent may drive it:
/// the `plugin.puppet.*` settings of server.cfg (or `plugin.d/puppet.cfg`).
///
/// Paths default to what Debian's puppet 7 uses for root (`puppet config print … --section
/// agent`): vardir `/var/cache/puppet`, statedir `<vardir>/state`, the run summary in
/// `<vardir>/public/last_run_summary.yaml`, the daemon's pid in `/run/puppet/agent.pid`.
/// Setting `vardir` moves every state file with it; each file can also be set on its own.
/// Chorus does not ask `puppet config print` (it costs a second or more per call), so a node
/// whose puppet.conf moves these files needs the same paths here.
///
/// | setting | meaning | default |
/// |---|---|---|
/// | `command` | the run command; words split at white space, never given to a shell | `puppet agent` |
/// | `executable` | the puppet program, for `puppet resource` | `puppet` |
/// | `vardir`, `statedir`, `publicdir`, `rundir` | Puppet's directories | see above |
/// | `lastrunfile`, `lastrunreport`, `resourcefile` | last_run_summary.yaml, last_run_report.yaml, resources.txt | in publicdir / statedir |
/// | `disabled_lockfile`, `catalog_run_lockfile`, `pidfile` | agent_disabled.lock, agent_catalog_run.lock, agent.pid | in statedir / rundir |
/// | `splay`, `splaylimit` | splay runs by default, and by up to how many seconds | true, 30 |
/// | `signal_daemon` | wake an idling daemon with SIGUSR1 instead of starting a run | true |
/// | `allow_server_override` | whether runonce may name a server | false |
/// | `run_timeout` | seconds a started run may take before it is killed | 3600 |
/// | `resource_type_whitelist` / `resource_type_blacklist` | types the `resource` action may (not) manage, comma list; `none` | every type denied |
/// | `resource_name_whitelist.<type>` / `resource_name_blacklist.<type>` | names of one type it may (not) manage | — |
/// | `resource_allow_managed_resources` | whether `resource` may touch what the catalog manages | false |
public struct PuppetSettings: Sendable, Hashable {
    /// The run command's words, e.g. `["puppet", "agent"]`.
    public var command: [String]
    /// The puppet program (`puppet resource` runs through it).
    public var executable: String
    public var vardir: String
    public var statedir: String
    public var publicdir: String
    public var rundir: String
    /// last_run_summary.yaml.
    public var lastRunSummaryFile: String
    /// last_run_report.yaml.
    public var lastRunReportFile: String
    /// resources.txt: the resources the last catalog managed, `type[title]` per line.
    public var resourceFile: String
    /// agent_disabled.lock: present while the agent is disabled; JSON `{"disabled_message": …}`.
    public var disabledLockFile: String
    /// agent_catalog_run.lock: holds the pid of a process applying a catalog.
    public var catalogRunLockFile: String
    /// The agent daemon's pid file.
    public var pidFile: String
    public var splay: Bool
    public var splayLimit: Int
    public var signalDaemon: Bool
    public var allowServerOverride: Bool
    /// How long a started run may take before its process group is killed.
    public var runTimeout: Duration
    /// The `resource` action's policy.
    public var resourcePolicy: PuppetResourcePolicy

    /// Settings from the node's `plugin.*` settings (all plugins; the `puppet.` ones are used).
    public init(node settings: PluginSettings) {
        self.init(settings.scoped(to: "puppet"))
    }

    /// Settings from the puppet plugin's own settings (`command`, `vardir`, …, without `puppet.`).
    public init(_ settings: PluginSettings) {
        let words = (settings["command"] ?? "puppet agent").split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
        command = words.isEmpty ? ["puppet", "agent"] : words
        executable = settings["executable"] ?? "puppet"
        vardir = settings["vardir"] ?? "/var/cache/puppet"
        statedir = settings["statedir"] ?? "\(vardir)/state"
        publicdir = settings["publicdir"] ?? "\(vardir)/public"
        rundir = settings["rundir"] ?? (settings["vardir"] == nil ? "/run/puppet" : "\(vardir)/run")
        lastRunSummaryFile = settings["lastrunfile"] ?? "\(publicdir)/last_run_summary.yaml"
        lastRunReportFile = settings["lastrunreport"] ?? "\(statedir)/last_run_report.yaml"
        resourceFile = settings["resourcefile"] ?? "\(statedir)/resources.txt"
        disabledLockFile = settings["disabled_lockfile"] ?? "\(statedir)/agent_disabled.lock"
        catalogRunLockFile = settings["catalog_run_lockfile"] ?? "\(statedir)/agent_catalog_run.lock"
        pidFile = settings["pidfile"] ?? "\(rundir)/agent.pid"
        splay = settings.bool("splay", default: true)
        splayLimit = settings.integer("splaylimit", default: 30)
        signalDaemon = settings.bool("signal_daemon", default: true)
        allowServerOverride = settings.bool("allow_server_override", default: false)
        runTimeout = .seconds(max(1, settings.integer("run_timeout", default: 3600)))
        resourcePolicy = PuppetResourcePolicy(settings)
    }

    /// The run command as one line, for messages.
    public var commandLine: String { command.joined(separator: " ") }
}
