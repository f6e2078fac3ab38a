import ArgumentParser
import ChorusAgents
import ChorusClient
import ChorusCore
import Foundation
import Logging
import NIOPosix

/// Everything a client command needs: the configuration, a connected RPC client, the
/// filter and options from the command line, and where to find DDLs.
struct ClientSession {
    let configuration: ChorusConfiguration
    let options: ClientOptions
    let client: RPCClient
    let style: TerminalStyle

    /// Loads the configuration, sets up logging to standard error, and connects to the broker.
    static func open(_ options: ClientOptions) async throws -> ClientSession {
        let path = try configurationPath(options.config)
        let configuration = try ChorusConfiguration.load(path: path)
        try? LogSetup.bootstrap(path: nil, level: LogSetup.level(configuration.loggerType == "console" ? configuration.logLevel : "warn"))
        let logger = Logger(label: "chorus")
        let settings = try configuration.clientSettings(collective: options.target, ttl: options.ttl)
        let client = RPCClient(settings: settings, group: MultiThreadedEventLoopGroup.singleton, logger: logger)
        do {
            try await client.connect()
        } catch {
            throw ValidationFailure("\(error)\nIs the broker running? Start one with `chorus broker`, or check plugin.\(configuration.connector).pool.* in \(path).")
        }
        let colour = !options.noColor && ProcessInfo.processInfo.environment["NO_COLOR"] == nil && isatty(STDOUT_FILENO) == 1
        return ClientSession(configuration: configuration, options: options, client: client, style: TerminalStyle(colour: colour))
    }

    /// The configuration file to use: `-c`, then `$CHORUS_CONFIG`, then the usual places.
    static func configurationPath(_ explicit: String?) throws -> String {
        if let explicit { return explicit }
        let environment = ProcessInfo.processInfo.environment
        if let path = environment["CHORUS_CONFIG"], !path.isEmpty { return path }
        let home = environment["HOME"] ?? NSHomeDirectory()
        let candidates = ["\(home)/.chorus/client.cfg", "/etc/chorus/client.cfg", "\(home)/.mcollective", "/etc/mcollective/client.cfg"]
        if let found = candidates.first(where: { FileManager.default.isReadableFile(atPath: $0) }) { return found }
        throw ValidationFailure("no client configuration found: pass -c FILE, set CHORUS_CONFIG, or create ~/.chorus/client.cfg (README, 'Configuration', shows one)")
    }

    /// The filter the command line describes.
    func filter() throws -> Filter {
        var filter = Filter()
        do {
            for fact in options.withFact { try filter.addFact(fact) }
            filter.classes.append(contentsOf: options.withClass)
            filter.identities.append(contentsOf: options.withIdentity)
            filter.agents.append(contentsOf: options.withAgent)
            for combined in options.with { filter.addWith(combined) }
            for expression in options.select { try filter.addCompound(expression) }
        } catch {
            throw ValidationFailure("invalid filter: \(error)")
        }
        return filter
    }

    /// Discovery, batching and limit options from the command line.
    func rpcOptions() throws -> RPCOptions {
        var rpc = RPCOptions()
        rpc.discovery = try discoveryMethod()
        if let seconds = options.discoveryTimeout ?? configuration.discoveryTimeout { rpc.discoveryTimeout = .seconds(seconds) }
        if let timeout = options.timeout { rpc.timeout = .seconds(timeout) }
        rpc.batchSize = options.batch
        rpc.batchSleep = .milliseconds(Int(options.batchSleep * 1000))
        if options.one {
            rpc.limit = .count(1)
        } else if let text = options.limitNodes {
            guard let limit = NodeLimit(text) else { throw ValidationFailure("--limit-nodes takes a number or a percentage, not '\(text)'") }
            rpc.limit = limit
        }
        rpc.limitSeed = options.limitSeed
        return rpc
    }

    private func discoveryMethod() throws -> DiscoveryMethod {
        switch options.discoveryMethod ?? (options.nodesFile != nil ? "flatfile" : configuration.defaultDiscoveryMethod) {
        case "mc": return .mc
        case "flatfile":
            guard let path = options.nodesFile else { throw ValidationFailure("--dm flatfile needs --nodes FILE") }
            guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { throw ValidationFailure("cannot read the node list \(path)") }
            return .nodes(Self.identities(in: text))
        case "stdin":
            var text = ""
            while let line = readLine() { text += line + "\n" }
            return .nodes(Self.identities(in: text))
        case let other:
            throw ValidationFailure("unknown discovery method '\(other)': use mc, flatfile or stdin")
        }
    }

    /// One identity per line; blank lines and `#` comments skipped.
    static func identities(in text: String) -> [String] {
        text.split(whereSeparator: \.isNewline)
            .map { $0.trimmingCharacters(in: .whitespaces) }
            .filter { !$0.isEmpty && !$0.hasPrefix("#") }
    }

    /// The DDL of `agent`: built in, or from a libdir (`DDLCatalog`).
    func ddl(for agent: String) throws -> AgentDDL {
        try DDLCatalog(libdirs: configuration.libdirs).agent(agent)
    }
}

/// Client command failures end with a clear message on standard error and a meaningful exit code.
enum CommandFailure {
    static func report(_ command: String, _ error: any Error, style: TerminalStyle = TerminalStyle(colour: isatty(STDERR_FILENO) == 1)) -> ExitCode {
        if let exit = error as? ExitCode { return exit }
        let message = "\(error)"
        FileHandle.standardError.write(Data("chorus \(command): \(style.red(message))\n".utf8))
        return ExitCode(1)
    }
}
