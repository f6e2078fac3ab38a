extension ChorusConfiguration {
    /// The environment variables that override file settings, as MCollective's plugins read them.
    public static let environmentVariables = ["MCOLLECTIVE_PSK", "STOMP_USER", "STOMP_PASSWORD"]

    /// Reads and parses the file at `path`. `environment` defaults to the process environment.
    public static func load(path: String, environment: [String: String]? = nil) throws(ConfigurationError)
        -> ChorusConfiguration
    {
        let bytes = try SystemInformation.readFile(path)
        var configuration = try ChorusConfiguration(
            parsing: String(decoding: bytes, as: UTF8.self), source: path, environment: environment)
        configuration.path = path
        try configuration.mergePluginDirectory("\(directory(of: path))/plugin.d")
        return configuration
    }

    /// Reads MCollective's `plugin.d/<plugin>.cfg` files: each holds `key = value` lines for one
    /// plugin without the `plugin.<plugin>.` prefix, and overrides the main file, as in
    /// MCollective's config.rb. A missing directory is not an error; a malformed file is.
    mutating func mergePluginDirectory(_ directory: String) throws(ConfigurationError) {
        for file in SystemInformation.listDirectory(directory).sorted() where file.hasSuffix(".cfg") && file.count > 4 {
            let plugin = String(file.dropLast(4))
            let path = "\(directory)/\(file)"
            let text = String(decoding: try SystemInformation.readFile(path), as: UTF8.self)
            var lineNumber = 0
            for rawLine in text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" }) {
                lineNumber += 1
                let line = Self.trimmed(Substring(rawLine))
                if line.isEmpty || line.hasPrefix("#") { continue }
                guard let equals = line.firstIndex(of: "=") else {
                    throw ConfigurationError(kind: .syntax, source: path, line: lineNumber, message: "expected 'key = value', found '\(line)'")
                }
                let key = Self.trimmed(line[..<equals])
                let value = Self.trimmed(line[line.index(after: equals)...])
                guard !key.isEmpty else {
                    throw ConfigurationError(kind: .syntax, source: path, line: lineNumber, message: "missing key before '='")
                }
                if !value.isEmpty { pluginConfig["\(plugin).\(key)"] = value }
            }
        }
    }

    /// Parses configuration text. Lines are `key = value` (whitespace around both trimmed);
    /// blank lines and lines starting with `#` are skipped; a later key overrides an earlier one
    /// (`libdir` and `default_discovery_options` add up). A line without `=`, or a value of the
    /// wrong form for its key, is an error naming `source` and the line. A line with an empty
    /// value is ignored, as MCollective does.
    public init(parsing text: String, source: String, environment: [String: String]? = nil) throws(ConfigurationError) {
        self.init(identity: nil, source: source)
        var lines: [String: Int] = [:]
        var lineNumber = 0
        for rawLine in text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" }) {
            lineNumber += 1
            let line = Self.trimmed(Substring(rawLine))
            if line.isEmpty || line.hasPrefix("#") { continue }
            guard let equals = line.firstIndex(of: "=") else {
                throw ConfigurationError(
                    kind: .syntax, source: source, line: lineNumber,
                    message: "expected 'key = value', found '\(line)'")
            }
            let key = Self.trimmed(line[..<equals])
            let value = Self.trimmed(line[line.index(after: equals)...])
            guard !key.isEmpty else {
                throw ConfigurationError(kind: .syntax, source: source, line: lineNumber, message: "missing key before '='")
            }
            if value.isEmpty { continue }
            try apply(key: key, value: value, line: lineNumber)
            entries[key] = value
            lines[key] = lineNumber
        }
        try validateIdentity(line: lines["identity"])
        try derivePluginSettings(lines: lines, environment: environment ?? SystemInformation.environment())
    }

    private static func trimmed(_ text: Substring) -> String {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" || $0 == "\r" || $0 == "\u{0B}" || $0 == "\u{0C}" }
        guard let start = text.firstIndex(where: { !isSpace($0) }) else { return "" }
        let end = text.lastIndex(where: { !isSpace($0) })!
        return String(text[start...end])
    }

    /// Sets the typed property for one line (config.rb `loadconfig`).
    private mutating func apply(key: String, value: String, line: Int) throws(ConfigurationError) {
        func integer() throws(ConfigurationError) -> Int {
            guard let number = Int(String(value.filter { $0 != "_" })) else { throw invalid(key, value, line) }
            return number
        }
        func boolean() throws(ConfigurationError) -> Bool {
            guard let flag = Self.rubyBool(value) else { throw invalid(key, value, line) }
            return flag
        }
        switch key {
        case "identity": identity = value
        case "main_collective": mainCollective = value
        case "collectives":
            collectives = value.split(separator: ",").map { Self.trimmed($0) }.filter { !$0.isEmpty }
        case "connector": connector = value.lowercased()
        case "securityprovider": securityProvider = value.lowercased()
        case "factsource": factSource = value.lowercased()
        case "classesfile": classesFile = value
        case "libdir":
            for dir in value.split(separator: ":") {
                guard dir.hasPrefix("/") else {
                    throw ConfigurationError(
                        kind: .invalidValue, source: source, line: line,
                        message: "libdir paths should be absolute paths but '\(dir)' is relative")
                }
                libdirs.append(String(dir))
            }
        case "logfile": logFile = value
        case "loglevel":
            let level = value.lowercased()
            guard ["debug", "info", "warn", "error", "fatal"].contains(level) else { throw invalid(key, value, line) }
            logLevel = level
        case "logger_type": loggerType = value
        case "logfacility": logFacility = value
        case "keeplogs": keepLogs = try integer()
        case "max_log_size": maxLogSize = try integer()
        case "ttl": ttl = try integer()
        case "direct_addressing": directAddressing = try boolean()
        case "direct_addressing_threshold": directAddressingThreshold = try integer()
        case "discovery_timeout": discoveryTimeout = try integer()
        case "default_discovery_method": defaultDiscoveryMethod = value
        case "default_discovery_options": defaultDiscoveryOptions.append(value)
        case "registration": registration = value.lowercased()
        case "registerinterval": registerInterval = try integer()
        case "registration_collective": registrationCollective = value
        case "registration_splay": registrationSplay = try boolean()
        case "fact_cache_time": factCacheTime = try integer()
        case "rpcaudit": rpcAudit = try boolean()
        case "rpcauditprovider": rpcAuditProvider = value.lowercased()
        case "rpcauthorization": rpcAuthorization = try boolean()
        case "rpcauthprovider": rpcAuthProvider = value.lowercased()
        case "rpclimitmethod": rpcLimitMethod = value
        case "color": color = try boolean()
        case "daemonize": daemonize = try boolean()
        case "publish_timeout": publishTimeout = try integer()
        case "connection_timeout": connectionTimeout = try integer()
        case "threaded": threaded = try boolean()
        case "soft_shutdown": softShutdown = try boolean()
        case "soft_shutdown_timeout": softShutdownTimeout = try integer()
        case "activate_agents": activateAgents = try boolean()
        case "ssl_cipher": sslCipher = value
        case "topicprefix", "topicsep", "queueprefix", "rpchelptemplate", "helptemplatedir":
            break  // deprecated and ignored by MCollective too
        default:
            if key.hasPrefix("plugin."), key.count > 7 {
                pluginConfig[String(key.dropFirst(7))] = value
            } else if !unknownKeys.contains(key) {
                unknownKeys.append(key)
            }
        }
    }

    private func invalid(_ key: String, _ value: String, _ line: Int) -> ConfigurationError {
        ConfigurationError(
            kind: .invalidValue, source: source, line: line,
            message: "Could not parse value for configuration option '\(key)' with value '\(value)'")
    }

    /// MCollective's `Util.str_to_bool`: 1/yes/true/y/t and 0/no/false/n/f, any case.
    static func rubyBool(_ text: String) -> Bool? {
        switch text.lowercased() {
        case "1", "yes", "true", "y", "t": return true
        case "0", "no", "false", "n", "f": return false
        default: return nil
        }
    }

    private func validateIdentity(line: Int?) throws(ConfigurationError) {
        let valid =
            !identity.isEmpty
            && identity.unicodeScalars.allSatisfy {
                ("a"..."z").contains($0) || ("A"..."Z").contains($0) || ("0"..."9").contains($0) || $0 == "_"
                    || $0 == "." || $0 == "-"
            }
        guard valid else {
            throw ConfigurationError(
                kind: .invalidValue, source: source, line: line,
                message: "Identities can only match /\\w\\.\\-/ but identity is '\(identity)'")
        }
    }
}
