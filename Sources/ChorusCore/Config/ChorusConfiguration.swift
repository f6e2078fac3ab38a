/// A node's or client's configuration, read from MCollective's `server.cfg` / `client.cfg`
/// format (`key = value` lines, `plugin.<name>.<key>` for plugins) with MCollective 2.12's
/// defaults (config.rb `set_config_defaults`).
///
/// Typed properties cover the keys Chorus uses; `value(forKey:)` gives any key as written and
/// `pluginConfig` holds every `plugin.*` key without its prefix.
public struct ChorusConfiguration: Sendable {
    /// The file this was loaded from; nil when parsed from text.
    public var path: String?
    /// The name used in error messages (the path, or what `init(parsing:source:)` was given).
    public var source: String

    /// `identity`, default the host name. Must match `^[\w.-]+$`.
    public var identity: String
    /// `main_collective`, default `mcollective`.
    public var mainCollective = "mcollective"
    /// `collectives` (comma separated), default `[mcollective]`.
    public var collectives = ["mcollective"]
    /// `connector`, lower-cased: `activemq` (default) or `rabbitmq`.
    public var connector = "activemq"
    /// `securityprovider`, lower-cased, default `psk`.
    public var securityProvider = "psk"
    /// `factsource`, lower-cased, default `yaml`.
    public var factSource = "yaml"
    /// `classesfile`, default `/var/lib/puppet/state/classes.txt`.
    public var classesFile = "/var/lib/puppet/state/classes.txt"
    /// `libdir` (colon separated, absolute; repeated lines add up).
    public var libdirs: [String] = []
    /// `logfile`; nil when unset.
    public var logFile: String?
    /// `loglevel`: `debug`, `info` (default), `warn`, `error` or `fatal`.
    public var logLevel = "info"
    /// `logger_type`: `file` (default), `console` or `syslog`.
    public var loggerType = "file"
    /// `logfacility`, default `user`.
    public var logFacility = "user"
    /// `keeplogs`, default 5.
    public var keepLogs = 5
    /// `max_log_size` in bytes, default 2097152.
    public var maxLogSize = 2_097_152
    /// `ttl`: seconds a request stays valid, default 60.
    public var ttl = 60
    /// `direct_addressing`, default true.
    public var directAddressing = true
    /// `direct_addressing_threshold`: up to this many discovered nodes get directed requests, default 10.
    public var directAddressingThreshold = 10
    /// `discovery_timeout` in seconds; nil means the discovery method's own default.
    public var discoveryTimeout: Int?
    /// `default_discovery_method`, default `mc`.
    public var defaultDiscoveryMethod = "mc"
    /// `default_discovery_options` (repeated lines add up).
    public var defaultDiscoveryOptions: [String] = []
    /// `registration`, lower-cased, default `agentlist`.
    public var registration = "agentlist"
    /// `registerinterval` in seconds; 0 (default) disables registration.
    public var registerInterval = 0
    /// `registration_collective`; nil means the main collective.
    public var registrationCollective: String?
    /// `registration_splay`, default false.
    public var registrationSplay = false
    /// `fact_cache_time` in seconds, default 300.
    public var factCacheTime = 300
    /// `rpcaudit`, default false.
    public var rpcAudit = false
    /// `rpcauditprovider`, lower-cased.
    public var rpcAuditProvider = ""
    /// `rpcauthorization`, default false.
    public var rpcAuthorization = false
    /// `rpcauthprovider`, lower-cased.
    public var rpcAuthProvider = ""
    /// `rpclimitmethod`: `first` (default) or `random`.
    public var rpcLimitMethod = "first"
    /// `color`: colour client output, default true.
    public var color = true
    /// `daemonize`; nil when unset.
    public var daemonize: Bool?
    /// `publish_timeout` in seconds, default 2.
    public var publishTimeout = 2
    /// `connection_timeout` in seconds; nil when unset.
    public var connectionTimeout: Int?
    /// `threaded`, default false.
    public var threaded = false
    /// `soft_shutdown`, default false.
    public var softShutdown = false
    /// `soft_shutdown_timeout`; nil when unset.
    public var softShutdownTimeout: Int?
    /// `activate_agents`, default true.
    public var activateAgents = true
    /// `ssl_cipher`, default `aes-256-cbc`.
    public var sslCipher = "aes-256-cbc"

    /// Every `plugin.<key> = value`, keyed by `<key>` (e.g. `rabbitmq.pool.1.host`, `psk`).
    public var pluginConfig: [String: String] = [:]
    /// Every key as last written in the file, including `plugin.*` keys.
    public var entries: [String: String] = [:]
    /// Keys MCollective does not know (it refuses them; Chorus keeps them in `entries`).
    public var unknownKeys: [String] = []

    /// The connector's broker pool (`plugin.<connector>.pool.size` + `pool.N.*`, or the single
    /// `plugin.<connector>.host/port/user/password`); empty when none is configured.
    public var brokers: [BrokerEndpoint] = []
    /// `plugin.<connector>.vhost`: the STOMP `host` header; default `/` for rabbitmq, `mcollective` for activemq.
    public var virtualHost = "mcollective"
    /// `plugin.<connector>.heartbeat_interval` in seconds; 0 (default) is off, below 30 becomes 30.
    public var heartbeatInterval = 0
    /// The pre-shared key: the `MCOLLECTIVE_PSK` environment variable when set (as psk.rb), else `plugin.psk`.
    public var psk: String?
    /// `plugin.psk.callertype`: `uid` (default), `gid`, `group`, `user` or `identity`.
    public var pskCallerType = "uid"
    /// `plugin.yaml`: the YAML fact files (colon separated).
    public var yamlFactFiles: [String] = []

    /// A configuration with every default and `identity` (default: this host's name).
    public init(identity: String? = nil, source: String = "(defaults)") {
        self.identity = identity ?? SystemInformation.hostName()
        self.source = source
    }

    /// A key as written in the file (`ttl`, `plugin.rabbitmq.vhost`), nil when absent.
    public func value(forKey key: String) -> String? { entries[key] }

    /// A `plugin.<key>` value by `<key>`, nil when absent.
    public func plugin(_ key: String) -> String? { pluginConfig[key] }
}
