import ArgumentParser
import ChorusAgents
import ChorusConnector
import ChorusCore
import ChorusServer
import Foundation
import Logging
import NIOPosix

struct ServerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "server",
        abstract: "Run a node: answer requests from the collective.",
        discussion: """
            Reads an MCollective-style server.cfg (identity, collectives, connector = activemq or \
            rabbitmq and plugin.<connector>.pool.*, securityprovider = psk (plugin.psk) or ssl \
            (plugin.ssl_server_private, plugin.ssl_client_cert_dir, …), factsource = yaml and \
            plugin.yaml, classesfile, logfile, loglevel, ttl), connects to the broker, and serves \
            the built-in agents (discovery, rpcutil, package, service, puppet, puppetral; each \
            configured by plugin.<agent>.* or plugin.d/<agent>.cfg, switched off with \
            plugin.<agent>.activate_agent = 0) and the external agents found in each libdir's \
            agent/ directory (an executable beside its DDL; see docs/EXTERNAL_AGENTS.md). An agent \
            whose tool is missing on this node declines to load and says so in the log. \
            With rpcauthorization = 1 and rpcauthprovider = action_policy, SimpleRPC requests are \
            checked against <configdir>/policies/<agent>.policy first (docs/SECURITY.md). \
            With rpcaudit = 1, every accepted SimpleRPC request is appended to \
            plugin.rpcaudit.logfile (rpcauditprovider = logfile, MCollective's format, or jsonl). \
            Requests seen before within their TTL, and messages over the plugin.chorus.* limits \
            (max_message_size, max_yaml_size, …), are refused and counted as unvalidated. \
            Reconnects with back-off when the broker goes away. SIGINT or SIGTERM stops it \
            gracefully: running actions finish and reply first.
            """)

    @Option(name: [.short, .long], help: "The server configuration file.")
    var config: String = "/etc/chorus/server.cfg"

    @Option(help: "Override the configuration's loglevel (debug, info, warn, error, fatal).")
    var loglevel: String?

    @Flag(help: "Log to standard error instead of the configured logfile.")
    var console = false

    func run() async throws {
        let configuration = try ChorusConfiguration.load(path: config)
        let level = LogSetup.level(loglevel ?? configuration.logLevel)
        try LogSetup.bootstrap(path: console || configuration.loggerType == "console" ? nil : configuration.logFile, level: level)
        let logger = Logger(label: configuration.identity)

        let settings = PluginSettings(configuration.pluginConfig)
        let activation = AgentActivationPolicy(activateAgents: configuration.activateAgents, settings: settings)
        let agents = ExternalAgentLoader(libdirs: configuration.libdirs, settings: settings, logger: logger)
            .agents(after: try BuiltinAgents.all(settings: settings))
        for agent in agents where !activation.allows(agent) {
            logger.debug("agent \(agent.name) not activated: plugin.\(agent.name).activate_agent / activate_agents")
        }
        let statistics = ServerStatistics(startTime: Int(Date().timeIntervalSince1970))
        let node = NodeState(
            identity: configuration.identity, mainCollective: configuration.mainCollective,
            collectives: configuration.collectives, configFile: configuration.path ?? config,
            statistics: statistics,
            factSource: YAMLFactSource(paths: configuration.yamlFactFiles, cacheTime: TimeInterval(configuration.factCacheTime), logger: logger),
            classesFile: ClassesFile(path: configuration.classesFile),
            agents: agents.filter(activation.allows),
            dataPlugins: BuiltinDataPlugins.all() + BuiltinAgents.dataPlugins(settings: settings, activation: activation),
            configLookup: { configuration.configItem($0) })
        let limits = try AdmissionLimits(settings: settings)
        let audit = try AuditLog.configured(
            enabled: configuration.rpcAudit, provider: configuration.rpcAuditProvider, settings: settings, logger: logger)
        let authorizer = try RequestAuthorizer.configured(by: configuration, configFile: configuration.path ?? config, logger: logger)
        let daemon = NodeDaemon(
            node: node,
            security: try configuration.securityProvider(role: .server, limits: limits.decoding, maxYAMLBytes: limits.maxYAMLBytes),
            connector: try Connectors.named(configuration.connector),
            brokers: try configuration.brokerClientConfiguration(reconnects: true),
            group: MultiThreadedEventLoopGroup.singleton, logger: logger, replyTTL: configuration.ttl, limits: limits, audit: audit,
            authorizer: authorizer)
        if let audit { logger.info("auditing requests to \(audit.path) (\(audit.format.rawValue))") }
        for name in node.declinedAgents {
            logger.info("agent \(name) does not apply to this node and was not loaded")
        }
        logger.info("chorus \(ChorusVersion.string) starting as \(configuration.identity) (pid \(ProcessInfo.processInfo.processIdentifier))")

        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await daemon.run() }
            group.addTask {
                let number = await TerminationSignal.wait()
                logger.info("received signal \(number); shutting down")
                await daemon.shutdown()
            }
            try await group.next()
            group.cancelAll()
        }
    }
}
