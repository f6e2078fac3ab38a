import ArgumentParser
import ChorusAgents
import ChorusClient
import ChorusCore
import Foundation
import RubyMarshal

struct PuppetCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "puppet",
        abstract: "Run, enable, disable and inspect the Puppet agent on every matching node.",
        discussion: """
            Drives the puppet agent on the matching nodes (PE's "Control Puppet"). A node's agent \
            is enabled or disabled (with a lock message), applying a catalog or not, and has its \
            daemon running or not; runs are refused while the agent is applying or disabled.

            Examples:
              chorus puppet status
              chorus puppet count -F role=web
              chorus puppet summary
              chorus puppet disable "maintenance until 14:00" -I web1
              chorus puppet enable -I web1
              chorus puppet runonce --force --tags apache -I web1
              chorus puppet runonce -S "puppet().since_lastrun > 1800"
              chorus puppet runall 5
              chorus puppet resource service ntp ensure=running -I web1

            Select disabled nodes with -S "puppet().enabled=false"; the resource() data plugin \
            reports the last run's counts (-S "resource().failed_resources > 0").

            Exit codes: 0 every node answered and succeeded; 1 no nodes discovered or bad \
            arguments; 2 some nodes failed or did not answer; 3 nodes were discovered but none \
            answered; 4 nodes were named without discovery and none answered.
            """,
        subcommands: [
            PuppetStatusCommand.self, PuppetCountCommand.self, PuppetSummaryCommand.self, PuppetEnableCommand.self,
            PuppetDisableCommand.self, PuppetRunOnceCommand.self, PuppetRunAllCommand.self, PuppetResourceCommand.self,
        ])
}

/// Calls one action of the puppet agent for a `chorus puppet` subcommand.
struct PuppetActionCall {
    let session: ClientSession
    let ddl: AgentDDL

    static func open(_ options: ClientOptions) async throws -> PuppetActionCall {
        guard let ddl = try BuiltinDDL.named("puppet") else { throw ValidationFailure("the built-in puppet DDL is missing") }
        return PuppetActionCall(session: try await ClientSession.open(options), ddl: ddl)
    }

    /// Validates the arguments against the DDL (nothing is sent when they fail) and builds the call.
    func call(_ action: String, _ arguments: RubyHash = RubyHash(), filter: Filter? = nil) throws -> RPCCall {
        var arguments = arguments
        try ddl.validateRequest(action: action, arguments: &arguments)
        return RPCCall(agent: "puppet", action: action, arguments: arguments, filter: try filter ?? session.filter(), agentTimeout: ddl.metadata.timeout)
    }

    /// Runs the action with discovery, progress and the command line's options.
    func run(_ action: String, _ arguments: RubyHash = RubyHash(), progress: Bool) async throws -> (RPCOutcome, RPCOutput) {
        let output = RPCOutput(session: session, showProgress: progress && !session.options.noProgress, announceDiscovery: session.options.verbose)
        return (try await output.run(try call(action, arguments), options: try session.rpcOptions()), output)
    }

    /// The action's DDL.
    func action(_ name: String) -> ActionDDL? { ddl.action(named: name) }

    /// mco's exit code for an outcome.
    static func exitCode(_ outcome: RPCOutcome, output: RPCOutput) -> ExitCode {
        ExitCode(outcome.discovered.isEmpty ? 1 : ExitStatus.code(for: outcome, discoveryRan: output.discoveryRan))
    }

    /// `printrpc` + `printrpcstats` for the action, or the JSON replies.
    func printReplies(_ outcome: RPCOutcome, action: String) {
        if session.options.json {
            print(JSONResultRenderer.render(outcome.results, pretty: isatty(STDOUT_FILENO) == 1))
        } else {
            let renderer = RPCResultRenderer(style: session.style, ddl: ddl, action: self.action(action), verbose: session.options.verbose)
            print(renderer.render(outcome: outcome), terminator: "")
        }
    }
}

struct PuppetStatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Show each node's Puppet agent status in one line, then a summary.",
        discussion: "Use `chorus rpc puppet status` (or --json) for every field, including the lock message.")

    @OptionGroup var options: ClientOptions

    func run() async throws {
        do {
            let puppet = try await PuppetActionCall.open(options)
            let (outcome, output) = try await puppet.run("status", progress: true)
            await puppet.session.client.close()
            if options.json {
                print(JSONResultRenderer.render(outcome.results, pretty: isatty(STDOUT_FILENO) == 1))
            } else {
                let sorted = outcome.results.sorted { $0.sender < $1.sender }
                print(PuppetRenderer.singleField(sorted, field: "message", style: puppet.session.style))
                let renderer = RPCResultRenderer(style: puppet.session.style, ddl: puppet.ddl, action: puppet.action("status"), verbose: options.verbose)
                let summaries = puppet.action("status").map { Aggregator.summarize(outcome.results, action: $0) } ?? []
                print(renderer.report(stats: RPCStats(outcome: outcome), summaries: summaries), terminator: "")
            }
            throw PuppetActionCall.exitCode(outcome, output: output)
        } catch {
            throw CommandFailure.report("puppet status", error)
        }
    }
}

struct PuppetCountCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "count",
        abstract: "Count nodes that are enabled, disabled, applying, stopped, idling, with and without a daemon.")

    @OptionGroup var options: ClientOptions

    func run() async throws {
        do {
            let puppet = try await PuppetActionCall.open(options)
            let (outcome, output) = try await puppet.run("status", progress: false)
            await puppet.session.client.close()
            let counts = PuppetRenderer.Counts(outcome.results)
            if options.json {
                print(counts.json.jsonString(pretty: isatty(STDOUT_FILENO) == 1))
            } else {
                print(PuppetRenderer.count(counts, style: puppet.session.style), terminator: "")
            }
            throw PuppetActionCall.exitCode(outcome, output: output)
        } catch {
            throw CommandFailure.report("puppet count", error)
        }
    }
}

struct PuppetSummaryCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "summary",
        abstract: "Graph the last runs across the nodes: resources, failures, changes, run times, time since the last run.",
        discussion: """
            Each line is a population graph: the nodes' values split into 20 ranges between the \
            smallest and the largest, each range drawn as a bar as tall as the number of nodes in \
            it, followed by the minimum, average and maximum.
            """)

    @OptionGroup var options: ClientOptions

    func run() async throws {
        do {
            let puppet = try await PuppetActionCall.open(options)
            let (outcome, output) = try await puppet.run("last_run_summary", progress: false)
            await puppet.session.client.close()
            if options.json {
                print(PuppetRenderer.summaryJSON(outcome.results).jsonString(pretty: isatty(STDOUT_FILENO) == 1))
            } else {
                print(PuppetRenderer.summary(outcome.results), terminator: "")
            }
            throw PuppetActionCall.exitCode(outcome, output: output)
        } catch {
            throw CommandFailure.report("puppet summary", error)
        }
    }
}

struct PuppetEnableCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "enable", abstract: "Enable the Puppet agent where it was disabled (an enabled agent reports a failure).")

    @OptionGroup var options: ClientOptions

    func run() async throws {
        do {
            let puppet = try await PuppetActionCall.open(options)
            let (outcome, output) = try await puppet.run("enable", progress: true)
            await puppet.session.client.close()
            puppet.printReplies(outcome, action: "enable")
            throw PuppetActionCall.exitCode(outcome, output: output)
        } catch {
            throw CommandFailure.report("puppet enable", error)
        }
    }
}

struct PuppetDisableCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "disable",
        abstract: "Disable the Puppet agent with a lock message, so it applies no catalog until enabled.",
        discussion: "Without a message the nodes record who disabled the agent and when. A disabled agent reports a failure.")

    @Argument(help: "Why the agent is disabled (words are joined with spaces; no ; ` $ | && > <).")
    var message: [String] = []

    @OptionGroup var options: ClientOptions

    func run() async throws {
        do {
            let arguments = message.isEmpty ? RubyHash() : RubyHash(symbolKeys: ["message": .str(message.joined(separator: " "))])
            let puppet = try await PuppetActionCall.open(options)
            let (outcome, output) = try await puppet.run("disable", arguments, progress: true)
            await puppet.session.client.close()
            puppet.printReplies(outcome, action: "disable")
            throw PuppetActionCall.exitCode(outcome, output: output)
        } catch {
            throw CommandFailure.report("puppet disable", error)
        }
    }
}

struct PuppetRunOnceCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "runonce",
        abstract: "Start one Puppet run on every matching node.",
        discussion: """
            Nodes start the run in the background and answer at once; a node whose agent is \
            applying a catalog or disabled refuses. Without --force a node splays the run (waits \
            a random time up to its splay limit) unless its configuration says otherwise; an idling \
            daemon is woken instead, and then no run options may be given. Prefer runall for \
            more than a few nodes.
            """)

    @OptionGroup var flags: PuppetRunFlags
    @OptionGroup var options: ClientOptions

    func run() async throws {
        do {
            let arguments = try flags.arguments()
            let puppet = try await PuppetActionCall.open(options)
            let (outcome, output) = try await puppet.run("runonce", arguments, progress: true)
            await puppet.session.client.close()
            puppet.printReplies(outcome, action: "runonce")
            throw PuppetActionCall.exitCode(outcome, output: output)
        } catch {
            throw CommandFailure.report("puppet runonce", error)
        }
    }
}

struct PuppetResourceCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "resource",
        abstract: "Apply one resource with Puppet's resource abstraction layer on every matching node.",
        discussion: """
            Nodes apply TYPE[NAME] with the properties given (puppet resource), if their \
            plugin.puppet.resource_type_whitelist allows the type and Puppet's catalog does not \
            manage the resource. Example: chorus puppet resource service ntp ensure=running -I web1
            """)

    @Argument(help: "The resource type, e.g. file, package, service.")
    var type: String

    @Argument(help: "The resource's name (title).")
    var name: String

    @Argument(help: "Properties as property=value.")
    var properties: [String] = []

    @OptionGroup var options: ClientOptions

    func run() async throws {
        do {
            var arguments = RubyHash(symbolKeys: ["type": .str(type), "name": .str(name)])
            for word in properties {
                guard let equals = word.firstIndex(of: "="), equals != word.startIndex, word.index(after: equals) != word.endIndex else {
                    throw ValidationFailure("Could not parse argument '\(word)': write property=value")
                }
                arguments.set(.str(String(word[word.index(after: equals)...])), forSymbol: String(word[..<equals]))
            }
            let puppet = try await PuppetActionCall.open(options)
            let (outcome, output) = try await puppet.run("resource", arguments, progress: true)
            await puppet.session.client.close()
            puppet.printReplies(outcome, action: "resource")
            throw PuppetActionCall.exitCode(outcome, output: output)
        } catch {
            throw CommandFailure.report("puppet resource", error)
        }
    }
}

/// The Puppet run options of `runonce` and `runall`, named as mco's puppet application names them.
struct PuppetRunFlags: ParsableArguments {
    @Flag(help: "Run now, without splay.")
    var force = false

    @Option(help: "The Puppet server, host or host:port (nodes must allow it: plugin.puppet.allow_server_override).")
    var server: String?

    @Option(name: [.customLong("tags"), .customLong("tag")], help: "Restrict the run to a tag (repeatable, or comma-separated).")
    var tags: [String] = []

    @Flag(help: "A dry run.")
    var noop = false

    @Flag(name: .customLong("no-noop"), help: "A real run, even where noop is configured.")
    var noNoop = false

    @Option(name: [.customShort("E"), .long], help: "The Puppet environment for this run.")
    var environment: String?

    @Flag(help: "Splay the run by up to the splay limit.")
    var splay = false

    @Flag(name: .customLong("no-splay"), help: "Do not splay the run.")
    var noSplay = false

    @Option(help: "The longest splay, in seconds.")
    var splaylimit: Int?

    @Flag(name: .customLong("use_cached_catalog"), help: "Apply the cached catalog.")
    var useCachedCatalog = false

    @Flag(name: .customLong("no-use_cached_catalog"), help: "Always fetch a new catalog.")
    var noUseCachedCatalog = false

    /// The runonce inputs these flags give (DDL validation happens when the call is built).
    func arguments(forced: Bool = false) throws -> RubyHash {
        if force || forced {
            if splay || noSplay { throw ValidationFailure("Cannot set splay when forcing runs") }
            if splaylimit != nil { throw ValidationFailure("Cannot set splaylimit when forcing runs") }
        }
        if noop && noNoop { throw ValidationFailure("--noop and --no-noop contradict each other") }
        if splay && noSplay { throw ValidationFailure("--splay and --no-splay contradict each other") }
        if useCachedCatalog && noUseCachedCatalog { throw ValidationFailure("--use_cached_catalog and --no-use_cached_catalog contradict each other") }
        var arguments = RubyHash()
        if force || forced { arguments.set(true, forSymbol: "force") }
        if let server { arguments.set(.str(server), forSymbol: "server") }
        if !tags.isEmpty { arguments.set(.str(tags.joined(separator: ",")), forSymbol: "tags") }
        if noop || noNoop { arguments.set(.bool(noop), forSymbol: "noop") }
        if let environment { arguments.set(.str(environment), forSymbol: "environment") }
        if splay || noSplay { arguments.set(.bool(splay), forSymbol: "splay") }
        if let splaylimit { arguments.set(.int(splaylimit), forSymbol: "splaylimit") }
        if useCachedCatalog || noUseCachedCatalog { arguments.set(.bool(useCachedCatalog), forSymbol: "use_cached_catalog") }
        return arguments
    }
}
