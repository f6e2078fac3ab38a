import ArgumentParser
import ChorusClient
import ChorusCore
import Foundation
import RubyMarshal

struct PuppetRunAllCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "runall",
        abstract: "Run Puppet on every enabled matching node, keeping CONCURRENCY runs going at a time.",
        discussion: """
            Discovers the matching nodes whose agent is enabled (any -S filter is combined with \
            puppet().enabled=true), then starts runs (runonce --force) until CONCURRENCY nodes are \
            applying, polls their status every second, and starts the next node as each run \
            finishes. A node that does not begin applying within 5 polls, or stops answering for \
            5 polls, is skipped. Progress is printed with timestamps as it happens; the command \
            ends when every run has finished or been skipped.

            Exit codes: 0 every run completed; 1 no enabled node found or bad arguments; 2 some \
            node refused, was skipped or did not answer.
            """)

    @Argument(help: "How many nodes may run Puppet at the same time.")
    var concurrency: Int

    @OptionGroup var flags: PuppetRunFlags
    @OptionGroup var options: ClientOptions

    func validate() throws {
        guard concurrency > 0 else { throw ValidationError("The concurrency for the runall command has to be greater than 0") }
    }

    func run() async throws {
        do {
            try await execute()
        } catch {
            throw CommandFailure.report("puppet runall", error)
        }
    }

    private func execute() async throws {
        let runArguments = try flags.arguments(forced: true)
        let puppet = try await PuppetActionCall.open(options)
        defer { Task { await puppet.session.client.close() } }
        let json = options.json
        var log: [RubyValue] = []
        func say(_ message: String) {
            let line = PuppetRenderer.logLine(message, at: Date())
            log.append(.str(line))
            if json {
                FileHandle.standardError.write(Data((line + "\n").utf8))
            } else {
                FileHandle.standardOutput.write(Data((line + "\n").utf8))
            }
        }
        _ = try puppet.call("runonce", runArguments, filter: Filter())

        say("Running all nodes with a concurrency of \(concurrency)")
        say("Discovering enabled Puppet nodes to manage")
        var filter = try puppet.session.filter()
        try filter.addCompound("puppet().enabled=true")
        let found = try await puppet.session.client.call(try puppet.call("status", filter: filter), options: try puppet.session.rpcOptions())
        let hosts = found.results.filter { $0.succeeded && $0.data["enabled"]?.boolValue == true }.map(\.sender).sorted()
        say("Found \(hosts.count) enabled \(hosts.count == 1 ? "node" : "nodes")")

        var runner = PuppetRunner(nodes: hosts, concurrency: concurrency)
        if !hosts.isEmpty { runner.update(try await poll(hosts, puppet: puppet)) }
        var refused: [String] = []
        while !runner.finished {
            for node in runner.nextToStart() {
                let result = try await start(node, arguments: runArguments, puppet: puppet)
                say(PuppetRenderer.scheduleStatus(node: node, result: result))
                if let result, result.succeeded {
                    runner.started(node, initiatedAt: result.data["initiated_at"]?.intValue ?? 0)
                } else {
                    runner.refused(node)
                    refused.append(node)
                }
            }
            if runner.finished { break }
            try await Task.sleep(for: .seconds(1))
            for event in runner.update(try await poll(hosts, puppet: puppet)) { say(event.message) }
        }
        say("Iteration complete. Initiated a Puppet run on \(runner.started.count) nodes.")
        if json {
            let report = RubyHash(stringKeys: [
                "concurrency": .int(concurrency), "nodes": .array(hosts.map { .str($0) }),
                "started": .array(runner.started.map { .str($0) }), "completed": .array(runner.completed.map { .str($0) }),
                "skipped": .array(runner.skipped.map { .str($0) }), "refused": .array(refused.map { .str($0) }), "log": .array(log),
            ])
            print(RubyValue.hash(report).jsonString(pretty: isatty(STDOUT_FILENO) == 1))
        }
        if hosts.isEmpty { throw ExitCode(1) }
        throw ExitCode(runner.skipped.isEmpty && refused.isEmpty ? 0 : 2)
    }

    /// `runonce` on one node (named, no discovery).
    private func start(_ node: String, arguments: RubyHash, puppet: PuppetActionCall) async throws -> RPCResult? {
        var options = try puppet.session.rpcOptions()
        options.discovery = .nodes([node])
        options.limit = nil
        let outcome = try await puppet.session.client.call(try puppet.call("runonce", arguments, filter: Filter()), options: options)
        return outcome.results.first { $0.sender == node }
    }

    /// `status` of every node (named, no discovery); nodes that did not answer are absent.
    private func poll(_ nodes: [String], puppet: PuppetActionCall) async throws -> [String: PuppetRunner.NodeStatus] {
        var options = try puppet.session.rpcOptions()
        options.discovery = .nodes(nodes)
        options.limit = nil
        options.batchSize = nil
        if self.options.timeout == nil { options.timeout = .seconds(5) }
        let outcome = try await puppet.session.client.call(try puppet.call("status", filter: Filter()), options: options)
        var statuses: [String: PuppetRunner.NodeStatus] = [:]
        for result in outcome.results where result.succeeded {
            statuses[result.sender] = PuppetRunner.NodeStatus(
                applying: result.data["applying"]?.boolValue ?? false, lastRun: result.data["lastrun"]?.intValue ?? 0)
        }
        return statuses
    }
}
