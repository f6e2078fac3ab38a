import ChorusCore
import RubyMarshal
import Testing

struct ConfigurationTests {
    /// nodes/node1/server.cfg as the oracle's up.sh writes it (oracle README §2).
    static let serverCfg = """
        main_collective = mcollective
        collectives = mcollective
        libdir = /tmp/mco-oracle/plugins
        identity = node1
        factsource = yaml
        connector = rabbitmq
        plugin.rabbitmq.vhost = /mcollective
        plugin.rabbitmq.pool.size = 1
        plugin.rabbitmq.pool.1.host = 127.0.0.1
        plugin.rabbitmq.pool.1.port = 61613
        plugin.rabbitmq.pool.1.user = mcollective
        plugin.rabbitmq.pool.1.password = marionette
        securityprovider = psk
        plugin.psk = s3cr3t
        logfile = /tmp/mco-oracle/nodes/node1/mcollectived.log
        loglevel = info
        daemonize = 0
        plugin.yaml = /tmp/mco-oracle/nodes/node1/facts.yaml
        classesfile = /tmp/mco-oracle/nodes/node1/classes.txt

        """

    static let clientCfg = """
        main_collective = mcollective
        collectives = mcollective
        libdir = /tmp/mco-oracle/plugins
        identity = mcoclient
        factsource = yaml
        connector = activemq
        plugin.activemq.pool.size = 1
        plugin.activemq.pool.1.host = 127.0.0.1
        plugin.activemq.pool.1.port = 61613
        plugin.activemq.pool.1.user = mcollective
        plugin.activemq.pool.1.password = marionette
        plugin.activemq.heartbeat_interval = 10
        securityprovider = psk
        plugin.psk = s3cr3t
        logger_type = console
        loglevel = warn
        plugin.yaml = /dev/null
        """

    @Test func oracleServerConfig() throws {
        let c = try ChorusConfiguration(parsing: Self.serverCfg, source: "server.cfg", environment: [:])
        #expect(c.identity == "node1")
        #expect(c.mainCollective == "mcollective")
        #expect(c.collectives == ["mcollective"])
        #expect(c.libdirs == ["/tmp/mco-oracle/plugins"])
        #expect(c.connector == "rabbitmq")
        #expect(c.virtualHost == "/mcollective")
        #expect(c.brokers == [BrokerEndpoint(host: "127.0.0.1", port: 61613, user: "mcollective", password: "marionette")])
        #expect(c.heartbeatInterval == 0)
        #expect(c.securityProvider == "psk")
        #expect(c.psk == "s3cr3t")
        #expect(c.pskCallerType == "uid")
        #expect(c.logFile == "/tmp/mco-oracle/nodes/node1/mcollectived.log")
        #expect(c.logLevel == "info")
        #expect(c.daemonize == false)
        #expect(c.yamlFactFiles == ["/tmp/mco-oracle/nodes/node1/facts.yaml"])
        #expect(c.classesFile == "/tmp/mco-oracle/nodes/node1/classes.txt")
        #expect(c.value(forKey: "plugin.rabbitmq.pool.1.host") == "127.0.0.1")
        #expect(c.plugin("rabbitmq.vhost") == "/mcollective")
        #expect(c.unknownKeys.isEmpty)
    }

    @Test func oracleClientConfigWithActiveMQ() throws {
        let c = try ChorusConfiguration(parsing: Self.clientCfg, source: "client.cfg", environment: [:])
        #expect(c.identity == "mcoclient")
        #expect(c.connector == "activemq")
        #expect(c.virtualHost == "mcollective")
        #expect(c.brokers.map(\.host) == ["127.0.0.1"])
        #expect(c.heartbeatInterval == 30)  // below 30 is raised to 30
        #expect(c.loggerType == "console")
        #expect(c.logLevel == "warn")
        #expect(c.logFile == nil)
        #expect(c.yamlFactFiles == ["/dev/null"])
    }

    @Test func defaults() throws {
        let c = try ChorusConfiguration(parsing: "# nothing\n\n", source: "empty.cfg", environment: [:])
        #expect(!c.identity.isEmpty)
        #expect(c.mainCollective == "mcollective")
        #expect(c.collectives == ["mcollective"])
        #expect(c.connector == "activemq")
        #expect(c.securityProvider == "psk")
        #expect(c.factSource == "yaml")
        #expect(c.classesFile == "/var/lib/puppet/state/classes.txt")
        #expect(c.ttl == 60)
        #expect(c.directAddressing)
        #expect(c.directAddressingThreshold == 10)
        #expect(c.discoveryTimeout == nil)
        #expect(c.defaultDiscoveryMethod == "mc")
        #expect(c.registerInterval == 0)
        #expect(c.factCacheTime == 300)
        #expect(c.logLevel == "info")
        #expect(c.loggerType == "file")
        #expect(c.color)
        #expect(!c.rpcAudit)
        #expect(c.brokers.isEmpty)
        #expect(c.virtualHost == "mcollective")
        #expect(c.psk == nil)
        #expect(c.yamlFactFiles.isEmpty)
    }

    @Test func overridesTrimmingAndAccumulation() throws {
        let text = """
            ttl = 30
              ttl=90   \r
            collectives = mcollective, dev ,prod
            libdir = /a:/b
            libdir = /c
            direct_addressing = no
            color = FALSE
            discovery_timeout = 4
            plugin.yaml = /etc/a.yaml:/etc/b.yaml
            nonsense = 1
            registerinterval = 1_000
            """
        let c = try ChorusConfiguration(parsing: text, source: "t.cfg", environment: [:])
        #expect(c.ttl == 90)
        #expect(c.collectives == ["mcollective", "dev", "prod"])
        #expect(c.libdirs == ["/a", "/b", "/c"])
        #expect(!c.directAddressing)
        #expect(!c.color)
        #expect(c.discoveryTimeout == 4)
        #expect(c.yamlFactFiles == ["/etc/a.yaml", "/etc/b.yaml"])
        #expect(c.unknownKeys == ["nonsense"])
        #expect(c.registerInterval == 1000)
        #expect(c.value(forKey: "ttl") == "90")
    }

    @Test func poolOfTwoHostsAndEnvironmentOverrides() throws {
        let text = """
            connector = rabbitmq
            plugin.rabbitmq.pool.size = 2
            plugin.rabbitmq.pool.1.host = a.example
            plugin.rabbitmq.pool.1.user = u1
            plugin.rabbitmq.pool.1.password = p1
            plugin.rabbitmq.pool.2.host = b.example
            plugin.rabbitmq.pool.2.port = 61614
            plugin.rabbitmq.pool.2.ssl = 1
            plugin.rabbitmq.pool.2.ssl.ca = /etc/ca.pem
            plugin.rabbitmq.heartbeat_interval = 45
            plugin.psk = fromfile
            plugin.psk.callertype = identity
            """
        let plain = try ChorusConfiguration(parsing: text, source: "p.cfg", environment: [:])
        #expect(plain.brokers == [
            BrokerEndpoint(host: "a.example", user: "u1", password: "p1"),
            BrokerEndpoint(host: "b.example", port: 61614, ssl: true, sslCA: "/etc/ca.pem"),
        ])
        #expect(plain.virtualHost == "/")
        #expect(plain.heartbeatInterval == 45)
        #expect(plain.psk == "fromfile")
        #expect(plain.pskCallerType == "identity")

        let env = try ChorusConfiguration(
            parsing: text, source: "p.cfg",
            environment: ["MCOLLECTIVE_PSK": "fromenv", "STOMP_USER": "envuser", "STOMP_PASSWORD": "envpass"])
        #expect(env.psk == "fromenv")
        #expect(env.brokers.map(\.user) == ["envuser", "envuser"])
        #expect(env.brokers.map(\.password) == ["envpass", "envpass"])
    }

    @Test func singleHostForm() throws {
        let text = "connector = activemq\nplugin.activemq.host = mq\nplugin.activemq.port = 6163\nplugin.activemq.user = me\n"
        let c = try ChorusConfiguration(parsing: text, source: "s.cfg", environment: [:])
        #expect(c.brokers == [BrokerEndpoint(host: "mq", port: 6163, user: "me")])
    }

    @Test func configItemsLikeRpcutil() throws {
        let c = try ChorusConfiguration(parsing: Self.serverCfg, source: "/etc/chorus/server.cfg", environment: [:])
        #expect(c.configItem("identity") == "node1")
        #expect(c.configItem("collectives") == ["mcollective"])
        #expect(c.configItem("ttl") == 60)
        #expect(c.configItem("connector") == "Rabbitmq")
        #expect(c.configItem("securityprovider") == "Psk")
        #expect(c.configItem("loglevel") == "info")
        #expect(c.configItem("daemonize") == false)
        #expect(c.configItem("discovery_timeout") == .nil)
        #expect(c.configItem("rpclimitmethod") == .symbol("first"))
        #expect(c.configItem("configdir") == "/etc/chorus")
        #expect(c.configItem("plugin.rabbitmq.vhost") == "/mcollective")
        #expect(c.configItem("nosuch") == nil)
    }

    @Test func secretsAreNeverReturned() throws {
        let text = Self.serverCfg + """
            plugin.ssl_server_private = /etc/keys/server-private.pem
            plugin.activemq.pool.1.ssl.key = /etc/keys/client.key
            plugin.aes.secret = x
            plugin.ssl_server_public = /etc/keys/server-public.pem
            """
        let c = try ChorusConfiguration(parsing: text, source: "s.cfg", environment: [:])
        for secret in ["plugin.psk", "plugin.rabbitmq.pool.1.password", "plugin.ssl_server_private",
                       "plugin.activemq.pool.1.ssl.key", "plugin.aes.secret", "psk"] {
            #expect(c.configItem(secret) == nil, "\(secret)")
        }
        #expect(c.configItem("plugin.ssl_server_public") == "/etc/keys/server-public.pem")
        guard case .hash(let pluginconf)? = c.configItem("pluginconf") else {
            Issue.record("pluginconf is not a hash")
            return
        }
        #expect(pluginconf["yaml"] == "/tmp/mco-oracle/nodes/node1/facts.yaml")
        #expect(pluginconf["psk"] == nil)
        #expect(pluginconf["rabbitmq.pool.1.password"] == nil)
        #expect(pluginconf["ssl_server_private"] == nil)
        #expect(!pluginconf.pairs.contains { $0.value == "s3cr3t" || $0.value == "marionette" })
    }

    @Test(arguments: [
        ("identity = node1\njust some words\n", 2, ConfigurationError.Kind.syntax),
        ("ttl = 60\n\nttl = soon\n", 3, .invalidValue),
        ("# c\ndirect_addressing = maybe", 2, .invalidValue),
        ("loglevel = chatty", 1, .invalidValue),
        ("libdir = relative/path", 1, .invalidValue),
        ("= value", 1, .syntax),
        ("identity = bad/name", 1, .invalidValue),
        ("connector = rabbitmq\nplugin.rabbitmq.pool.size = 2\nplugin.rabbitmq.pool.1.host = a\n", 2, .missingOption),
        ("plugin.activemq.pool.size = many", 1, .invalidValue),
    ])
    func errorsNameTheLine(_ text: String, _ line: Int, _ kind: ConfigurationError.Kind) {
        #expect {
            _ = try ChorusConfiguration(parsing: text, source: "bad.cfg", environment: [:])
        } throws: { error in
            guard let error = error as? ConfigurationError else { return false }
            return error.line == line && error.kind == kind && error.source == "bad.cfg"
                && "\(error)".hasPrefix("bad.cfg:\(line): ")
        }
    }

    @Test func loadReadsFilesAndReportsUnreadableOnes() throws {
        let path = "/tmp/chorus-config-test-\(getpid()).cfg"
        let file = try #require(fopen(path, "w"))
        fputs(Self.serverCfg, file)
        fclose(file)
        defer { unlink(path) }
        let c = try ChorusConfiguration.load(path: path, environment: [:])
        #expect(c.path == path)
        #expect(c.identity == "node1")
        #expect(c.configItem("configfile") == .str(path))
        #expect {
            _ = try ChorusConfiguration.load(path: "/nonexistent/server.cfg", environment: [:])
        } throws: { error in
            (error as? ConfigurationError)?.kind == .unreadable && "\(error)".hasPrefix("/nonexistent/server.cfg: ")
        }
    }
}

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif
