/// What a `runonce` request asks for, after DDL validation.
public struct PuppetRunRequest: Sendable, Hashable {
    public var force: Bool?
    public var noop: Bool?
    public var splay: Bool?
    public var splayLimit: Double?
    public var environment: String?
    public var server: String?
    /// Comma-separated, as the request carries them.
    public var tags: String?
    public var useCachedCatalog: Bool?

    public init(
        force: Bool? = nil, noop: Bool? = nil, splay: Bool? = nil, splayLimit: Double? = nil, environment: String? = nil,
        server: String? = nil, tags: String? = nil, useCachedCatalog: Bool? = nil
    ) {
        self.force = force
        self.noop = noop
        self.splay = splay
        self.splayLimit = splayLimit
        self.environment = environment
        self.server = server
        self.tags = tags
        self.useCachedCatalog = useCachedCatalog
    }
}

/// How `runonce` starts a run, decided from the request, the settings and the agent's state
/// without touching the system (the original agent's rules):
///
/// - a disabled agent, or one applying a catalog, does not run;
/// - `server` is refused unless `allow_server_override` is set;
/// - when a daemon is present and `signal_daemon` is on, it is woken with SIGUSR1, and then
///   no run options may be given (the daemon has its own);
/// - otherwise the run command is started with `--onetime --no-daemonize --color=false
///   --show_diff --verbose` and the options: `force` means `--no-splay`; else splay and its
///   limit come from the request, then from the settings.
public enum PuppetRunPlan: Sendable, Hashable {
    /// Start this command (the configured command's words plus options).
    case run([String])
    /// Send SIGUSR1 to the running daemon.
    case signalDaemon

    /// The plan, or the reason the run is refused (a failed reply's message).
    public static func make(_ request: PuppetRunRequest, settings: PuppetSettings, state: PuppetAgentState) -> Result<PuppetRunPlan, PuppetRunRefusal> {
        if let message = state.disableMessage {
            return .failure(PuppetRunRefusal(message.isEmpty ? "Puppet is disabled" : "Puppet is disabled: '\(message)'"))
        }
        if state.applying {
            return .failure(PuppetRunRefusal("Puppet is currently applying a catalog, cannot run now"))
        }
        if request.server != nil && !settings.allowServerOverride {
            return .failure(PuppetRunRefusal("Passing 'server' option is not allowed in module configuration (set plugin.puppet.allow_server_override = true to allow it)"))
        }
        let signalling = state.daemonPresent && settings.signalDaemon
        var splay: Bool?
        var splayLimit: Int?
        if !signalling {
            if request.force == true {
                splay = false
            } else {
                splay = request.splay ?? settings.splay
                if let limit = request.splayLimit {
                    guard limit.isFinite, limit >= 0, limit == limit.rounded(), limit < 1e9 else {
                        return .failure(PuppetRunRefusal("Invalid splaylimit '\(limit)' specified: give whole seconds"))
                    }
                    splayLimit = Int(limit)
                } else if splay == true {
                    splayLimit = settings.splayLimit
                }
            }
        }
        let options = cliOptions(request, splay: splay, splayLimit: splayLimit)
        if signalling {
            guard options.isEmpty else {
                return .failure(PuppetRunRefusal("Cannot specify any custom puppet options when the daemon is running"))
            }
            return .success(.signalDaemon)
        }
        return .success(.run(settings.command + ["--onetime", "--no-daemonize", "--color=false", "--show_diff", "--verbose"] + options))
    }

    /// The run options in the original's order: tags, splay, splaylimit, noop, environment,
    /// server (and masterport), cached catalog. Each value is one argv word.
    static func cliOptions(_ request: PuppetRunRequest, splay: Bool?, splayLimit: Int?) -> [String] {
        var options: [String] = []
        if let tags = request.tags {
            let list = tags.split(separator: ",").map { $0.trimmingCharacters(in: " ") }.filter { !$0.isEmpty }
            if !list.isEmpty { options += ["--tags", list.joined(separator: ",")] }
        }
        if let splay { options.append(splay ? "--splay" : "--no-splay") }
        if let splayLimit { options += ["--splaylimit", String(splayLimit)] }
        if let noop = request.noop { options.append(noop ? "--noop" : "--no-noop") }
        if let environment = request.environment { options += ["--environment", environment] }
        if let server = request.server {
            let (host, port) = splitServer(server)
            options += ["--server", host]
            if let port { options += ["--masterport", port] }
        }
        if let cached = request.useCachedCatalog { options.append(cached ? "--use_cached_catalog" : "--no-use_cached_catalog") }
        return options
    }

    /// `host:port` → (host, port); `[v6]:port` and a bare IPv6 address are understood.
    static func splitServer(_ server: String) -> (String, String?) {
        if server.hasPrefix("["), let close = server.firstIndex(of: "]") {
            let host = String(server[server.index(after: server.startIndex)..<close])
            let rest = server[server.index(after: close)...]
            return (host, rest.hasPrefix(":") ? String(rest.dropFirst()) : nil)
        }
        let colons = server.filter { $0 == ":" }.count
        if colons == 1, let colon = server.firstIndex(of: ":") {
            return (String(server[..<colon]), String(server[server.index(after: colon)...]))
        }
        return (server, nil)
    }
}

/// Why `runonce` did not start a run.
public struct PuppetRunRefusal: Error, Sendable, Hashable, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}

extension Substring {
    fileprivate func trimmingCharacters(in set: Character) -> Substring {
        var text = self
        while text.first == set { text = text.dropFirst() }
        while text.last == set { text = text.dropLast() }
        return text
    }
}
