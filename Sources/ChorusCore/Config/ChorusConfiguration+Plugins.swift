extension ChorusConfiguration {
    /// Fills the settings that live under `plugin.*`: the broker pool, vhost and heart-beat of
    /// the configured connector, the psk and its caller type, the YAML fact files.
    mutating func derivePluginSettings(lines: [String: Int], environment: [String: String]) throws(ConfigurationError) {
        let c = connector
        func line(_ key: String) -> Int? { lines["plugin." + key] }
        func integer(_ key: String, default fallback: Int) throws(ConfigurationError) -> Int {
            guard let text = pluginConfig[key] else { return fallback }
            guard let number = Int(text) else { throw invalidPlugin(key, text, line(key)) }
            return number
        }
        func boolean(_ key: String) throws(ConfigurationError) -> Bool {
            guard let text = pluginConfig[key] else { return false }
            guard let flag = Self.rubyBool(text) else { throw invalidPlugin(key, text, line(key)) }
            return flag
        }
        func endpoint(_ prefix: String, required: Int?) throws(ConfigurationError) -> BrokerEndpoint {
            guard let host = pluginConfig[prefix + "host"] else {
                throw ConfigurationError(
                    kind: .missingOption, source: source, line: required,
                    message: "No plugin.\(prefix)host configuration option given")
            }
            return BrokerEndpoint(
                host: host, port: try integer(prefix + "port", default: 61613),
                user: environment["STOMP_USER"] ?? pluginConfig[prefix + "user"] ?? "",
                password: environment["STOMP_PASSWORD"] ?? pluginConfig[prefix + "password"] ?? "",
                ssl: try boolean(prefix + "ssl"), sslCA: pluginConfig[prefix + "ssl.ca"],
                sslCert: pluginConfig[prefix + "ssl.cert"], sslKey: pluginConfig[prefix + "ssl.key"],
                sslFallback: try boolean(prefix + "ssl.fallback"))
        }

        if pluginConfig["\(c).pool.size"] != nil {
            let size = try integer("\(c).pool.size", default: 0)
            guard size >= 0, size <= 1000 else {
                throw invalidPlugin("\(c).pool.size", String(size), line("\(c).pool.size"))
            }
            brokers = []
            for n in stride(from: 1, through: size, by: 1) {
                brokers.append(try endpoint("\(c).pool.\(n).", required: line("\(c).pool.size")))
            }
        } else if pluginConfig["\(c).host"] != nil {
            brokers = [try endpoint("\(c).", required: nil)]
        } else {
            brokers = []
        }

        virtualHost = pluginConfig["\(c).vhost"] ?? (c == "rabbitmq" ? "/" : "mcollective")
        let heartbeat = try integer("\(c).heartbeat_interval", default: 0)
        heartbeatInterval = heartbeat > 0 ? max(heartbeat, 30) : 0
        psk = environment["MCOLLECTIVE_PSK"] ?? pluginConfig["psk"]
        pskCallerType = pluginConfig["psk.callertype"] ?? "uid"
        yamlFactFiles = (pluginConfig["yaml"] ?? "").split(separator: ":").map(String.init)
    }

    private func invalidPlugin(_ key: String, _ value: String, _ line: Int?) -> ConfigurationError {
        ConfigurationError(
            kind: .invalidValue, source: source, line: line,
            message: "Could not parse value for configuration option 'plugin.\(key)' with value '\(value)'")
    }
}
