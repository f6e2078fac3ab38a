import RubyMarshal

extension ChorusConfiguration {
    /// A configuration attribute as `rpcutil get_config_item` returns it (MCollective sends
    /// `Config.instance.<item>`): `identity`, `collectives` (Array), `main_collective`, `ttl`
    /// (Integer), `loglevel`, `logfile`, `connector` (capitalised, `Rabbitmq`), `securityprovider`,
    /// `factsource`, `classesfile`, `daemonize`, `libdir`, `pluginconf`, … Unset attributes answer
    /// `.nil`; unknown names answer nil ("Unknown config property").
    ///
    /// `plugin.<key>` names one plugin setting. Secrets are never returned: `plugin.psk` and any
    /// plugin key naming a password, passcode, private key, secret or token answer nil, and are
    /// left out of `pluginconf`.
    public func configItem(_ name: String) -> RubyValue? {
        func optionalInt(_ value: Int?) -> RubyValue { value.map(RubyValue.int) ?? .nil }
        func optionalString(_ value: String?) -> RubyValue { value.map(RubyValue.str) ?? .nil }
        switch name {
        case "identity": return .str(identity)
        case "main_collective": return .str(mainCollective)
        case "collectives": return .array(collectives.map(RubyValue.str))
        case "connector": return .str(Self.capitalized(connector))
        case "securityprovider": return .str(Self.capitalized(securityProvider))
        case "factsource": return .str(Self.capitalized(factSource))
        case "registration": return .str(Self.capitalized(registration))
        case "rpcauditprovider": return .str(Self.capitalized(rpcAuditProvider))
        case "rpcauthprovider": return .str(Self.capitalized(rpcAuthProvider))
        case "classesfile": return .str(classesFile)
        case "libdir": return .array(libdirs.map(RubyValue.str))
        case "logfile": return optionalString(logFile)
        case "loglevel": return .str(logLevel)
        case "logger_type": return .str(loggerType)
        case "logfacility": return .str(logFacility)
        case "keeplogs": return .int(keepLogs)
        case "max_log_size": return .int(maxLogSize)
        case "ttl": return .int(ttl)
        case "direct_addressing": return .bool(directAddressing)
        case "direct_addressing_threshold": return .int(directAddressingThreshold)
        case "discovery_timeout": return optionalInt(discoveryTimeout)
        case "default_discovery_method": return .str(defaultDiscoveryMethod)
        case "default_discovery_options": return .array(defaultDiscoveryOptions.map(RubyValue.str))
        case "registerinterval": return .int(registerInterval)
        case "registration_collective": return optionalString(registrationCollective)
        case "registration_splay": return .bool(registrationSplay)
        case "fact_cache_time": return .int(factCacheTime)
        case "rpcaudit": return .bool(rpcAudit)
        case "rpcauthorization": return .bool(rpcAuthorization)
        case "rpclimitmethod": return .symbol(rpcLimitMethod)
        case "color": return .bool(color)
        case "daemonize": return daemonize.map(RubyValue.bool) ?? .nil
        case "publish_timeout": return .int(publishTimeout)
        case "connection_timeout": return optionalInt(connectionTimeout)
        case "threaded": return .bool(threaded)
        case "soft_shutdown": return .bool(softShutdown)
        case "soft_shutdown_timeout": return optionalInt(softShutdownTimeout)
        case "activate_agents": return .bool(activateAgents)
        case "ssl_cipher": return .str(sslCipher)
        case "configfile": return .str(path ?? source)
        case "configdir": return .str(Self.directory(of: path ?? source))
        case "configured": return .bool(true)
        case "pluginconf":
            let visible = pluginConfig.keys.sorted().filter { !Self.isSecret(pluginKey: $0) }
            return .hash(RubyHash(pairs: visible.map { .init(key: .str($0), value: .str(pluginConfig[$0] ?? "")) }))
        default:
            guard name.hasPrefix("plugin.") else { return nil }
            let key = String(name.dropFirst(7))
            guard !Self.isSecret(pluginKey: key), let value = pluginConfig[key] else { return nil }
            return .str(value)
        }
    }

    /// Whether a `plugin.*` key (without the prefix) holds a secret that must not leave the node.
    public static func isSecret(pluginKey key: String) -> Bool {
        let lower = key.lowercased()
        if lower == "psk" || lower.hasSuffix(".psk") || lower.hasSuffix("key") { return true }
        return ["password", "passcode", "passwd", "private", "secret", "token"].contains { lower.contains($0) }
    }

    /// Ruby's `String#capitalize`.
    static func capitalized(_ text: String) -> String {
        guard let first = text.first else { return text }
        return first.uppercased() + text.dropFirst().lowercased()
    }

    static func directory(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        return slash == path.startIndex ? "/" : String(path[..<slash])
    }
}
