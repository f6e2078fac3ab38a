import ChorusClient
import Foundation
import Logging
import NIOCore

/// Runs `chorus bench fleet`: checks the fleet fits, starts the broker (unless one was
/// named) and the worker processes, waits until every node is connected and subscribed,
/// proves it with one broadcast every node must answer, runs the scenarios with CPU,
/// memory and message counts measured around each, and stops everything it started.
public struct FleetBenchmark: Sendable {
    public var options: FleetOptions
    /// Progress lines (standard error in the command).
    public var progress: @Sendable (String) -> Void

    public init(options: FleetOptions, progress: @escaping @Sendable (String) -> Void = { _ in }) {
        self.options = options
        self.progress = progress
    }

    /// The capacity check alone: the layout the run would use, or why the fleet does not fit.
    public func layout() throws -> FleetLayout {
        let machine = MachineLimits.current()
        let brokerLimit: (limit: Int, source: String)?
        if let target = options.broker {
            let pid = target.resolvingProcess().pid
            brokerLimit = pid.flatMap { pid in
                MachineLimits.openFileLimit(ofProcess: pid).map { ($0, "the soft RLIMIT_NOFILE of broker process \(pid), /proc/\(pid)/limits") }
            }
        } else {
            brokerLimit = (
                machine.openFilesHard,
                "RLIMIT_NOFILE: the bench raises the broker's soft limit to the hard limit, and raising the hard limit needs CAP_SYS_RESOURCE (root's ulimit -Hn, limits.conf, systemd LimitNOFILE=)"
            )
        }
        let capacity = FleetCapacity(
            brokerFileLimit: brokerLimit, processFileLimit: machine.openFilesHard, ephemeralPorts: machine.ephemeralPorts,
            clients: options.clientConnections)
        return try capacity.layout(nodes: options.nodes, workers: options.workers)
    }

    public func run(group: any EventLoopGroup, logger: Logger) async throws -> FleetReport {
        MachineLimits.raiseOpenFileLimit()
        let layout = try layout()
        let connector = try options.connectorDialect()
        try FileManager.default.createDirectory(atPath: options.directory, withIntermediateDirectories: true)

        let broker: FleetBroker
        if let target = options.broker {
            broker = .running(target)
        } else {
            progress("starting chorus broker …")
            broker = try await FleetBroker.startChorus(
                executable: options.executable, directory: options.directory, connections: layout.brokerConnections + 10)
        }
        var pool: FleetWorkerPool?
        do {
            try await Task.sleep(for: .milliseconds(300))
            let brokerBefore = broker.target.usage()?.residentBytes
            progress("starting \(layout.nodes) nodes in \(layout.workers.count) worker process(es) against \(broker.target) …")
            let startUsage = sampleCPU(broker: broker, workers: [])
            let clock = ContinuousClock()
            let spawned = clock.now
            let workers = try FleetWorkerPool.start(
                executable: options.executable, layout: layout, target: broker.target, connector: options.connector,
                prefix: options.prefix, psk: options.psk, directory: options.directory)
            pool = workers
            let peaks = PeakMemory()
            let watchedPids = [broker.target.pid].compactMap { $0 } + workers.pids + [getpid()]
            let watcher = Task { await peaks.watch { watchedPids } }
            defer { watcher.cancel() }

            let statuses = try await workers.waitUntilServing(timeout: options.connectTimeout)
            let connectTime = clock.now - spawned
            try await waitForSubscriptions(broker: broker, nodes: layout.nodes, group: group)
            progress("all \(layout.nodes) nodes connected and subscribed in \(Int(connectTime.milliseconds)) ms")
            try await Task.sleep(for: .seconds(1))
            let brokerConnected = broker.target.usage()?.residentBytes
            peaks.sample(watchedPids)

            let clients = FleetClients(target: broker.target, connector: connector, psk: options.psk, group: group, logger: logger)
            let broadcaster = try await clients.connect(identity: "\(options.prefix)-client-1", directed: false)
            let director = try await clients.connect(identity: "\(options.prefix)-client-2", directed: true)
            var senders = [broadcaster]
            for number in 0..<max(0, options.clients - 1) {
                senders.append(try await clients.connect(identity: "\(options.prefix)-client-\(number + 3)", directed: false))
            }
            let concurrent = senders
            let scenarios = FleetScenarios(nodes: layout.nodes, prefix: options.prefix, timeout: options.timeout)
            let warmUp = try await self.warmUp(scenarios, client: broadcaster)

            var results: [FleetScenarioResult] = []
            let steps: [(String, @Sendable () async throws -> FleetScenarioResult)] = [
                ("broadcast rpcutil ping × \(options.rounds)", { try await scenarios.broadcast(broadcaster, rounds: options.rounds) }),
                ("discovery, then directed rpcutil ping to \(min(options.sample, layout.nodes))", {
                    try await scenarios.discoveryAndDirected(director, sample: options.sample)
                }),
                ("rpcutil ping -F \(SimulatedNodeProfile.groupFact)=0 (10 %)", { try await scenarios.filtered(broadcaster) }),
                ("\(concurrent.count) clients × \(options.rounds) broadcasts at once", {
                    try await scenarios.sustained(concurrent, rounds: options.rounds)
                }),
            ]
            for (title, step) in steps {
                progress("scenario: \(title) …")
                let result = try await measured(step, broker: broker, workers: workers, group: group)
                progress("    \(result.replies) of \(result.expected) replies, \(result.lost) lost, last after \(Int(result.lastReplyMilliseconds)) ms")
                results.append(result)
            }
            for client in concurrent + [director] { await client.close() }

            let endUsage = sampleCPU(broker: broker, workers: workers.pids)
            peaks.sample(watchedPids)
            progress("stopping …")
            _ = await workers.stop()
            pool = nil
            let summary = await broker.counters(group: group).map {
                "\($0.messagesIn) messages in, \($0.messagesOut) out, \($0.dropped) dropped over the whole run"
            }
            broker.stop()

            var cpu: [FleetProcessKind: Double] = [:]
            for kind in FleetProcessKind.allCases {
                if let end = endUsage[kind] { cpu[kind] = end - (startUsage[kind] ?? 0) }
            }
            var peak: [FleetProcessKind: Int] = [:]
            peak[.broker] = broker.target.pid.flatMap { peaks.peak($0) }
            peak[.workers] = workers.pids.compactMap { peaks.peak($0) }.max()
            peak[.client] = peaks.peak(getpid())
            return FleetReport(
                date: Date(), machine: .current(), nodes: layout.nodes, workers: layout.workers.count, connector: options.connector,
                broker: broker.target, brokerStarted: broker.child != nil, connectMilliseconds: connectTime.milliseconds,
                workerConnectMilliseconds: statuses.compactMap(\.connectMilliseconds), brokerRSSBefore: brokerBefore,
                brokerRSSConnected: brokerConnected, warmUp: warmUp, scenarios: results, cpuSeconds: cpu, peakRSS: peak,
                brokerSummary: summary)
        } catch {
            if let pool { _ = await pool.stop() }
            broker.stop()
            throw error
        }
    }

    /// One broadcast every node must answer before anything is measured (a node's
    /// SUBSCRIBE may still be on its way to the broker when the node reports serving).
    private func warmUp(_ scenarios: FleetScenarios, client: RPCClient) async throws -> FleetRound {
        var round = try await scenarios.broadcastRound(client)
        var attempts = 1
        while round.replies < round.expected && attempts < 3 {
            try await Task.sleep(for: .seconds(1))
            round = try await scenarios.broadcastRound(client)
            attempts += 1
        }
        guard round.replies == round.expected else {
            throw FleetBenchError(
                "only \(round.replies) of \(round.expected) nodes answered a broadcast ping (\(attempts) tries) although every worker reported all its nodes subscribed; see the worker logs in \(options.directory)")
        }
        progress("warm-up broadcast: all \(round.replies) nodes answered, the last after \(Int(round.arrivals.summary.max)) ms")
        return round
    }

    /// A Chorus broker's statistics show every node's subscriptions (three per node: its
    /// directed queue and the `discovery` and `rpcutil` broadcasts) before anything is sent.
    private func waitForSubscriptions(broker: FleetBroker, nodes: Int, group: any EventLoopGroup) async throws {
        guard await broker.counters(group: group) != nil else { return }
        let deadline = ContinuousClock.now + options.connectTimeout
        while let counters = await broker.counters(group: group), counters.subscriptions < 3 * nodes {
            guard ContinuousClock.now < deadline else {
                throw FleetBenchError("the broker holds \(counters.subscriptions) subscriptions, not the \(3 * nodes) of \(nodes) nodes")
            }
            try await Task.sleep(for: .milliseconds(50))
        }
    }

    /// Runs one scenario with CPU time and the nodes' (and the broker's) counters taken before and after.
    private func measured(
        _ step: @Sendable () async throws -> FleetScenarioResult, broker: FleetBroker, workers: FleetWorkerPool,
        group: any EventLoopGroup
    ) async throws -> FleetScenarioResult {
        let countersBefore = try await workers.counters()
        let brokerBefore = await broker.counters(group: group)
        let before = sampleCPU(broker: broker, workers: workers.pids)
        var result = try await step()
        // Nodes a filter turned away finish counting a moment after the last reply.
        try await Task.sleep(for: .milliseconds(200))
        let after = sampleCPU(broker: broker, workers: workers.pids)
        let counters = try await workers.counters() - countersBefore
        let brokerAfter = await broker.counters(group: group)
        for kind in FleetProcessKind.allCases {
            if let end = after[kind], let start = before[kind] { result.costs.cpuSeconds[kind] = end - start }
        }
        result.costs.nodeCounters = counters
        if let brokerBefore, let brokerAfter {
            result.costs.brokerMessages = brokerAfter.messages(since: brokerBefore)
            result.costs.brokerMessagesFromBrokerStats = true
            result.costs.brokerDropped = brokerAfter.dropped - brokerBefore.dropped
        } else {
            let clientReceived = result.replies + (result.discovery?.found ?? 0)
            result.costs.brokerMessages = result.requests + counters.received + counters.replies + clientReceived
        }
        return result
    }

    /// CPU seconds so far of the broker, all workers together, and this process.
    private func sampleCPU(broker: FleetBroker, workers: [Int32]) -> [FleetProcessKind: Double] {
        var cpu: [FleetProcessKind: Double] = [:]
        cpu[.broker] = broker.target.usage()?.cpuSeconds
        cpu[.workers] = workers.compactMap { ProcessUsage.sample(pid: $0)?.cpuSeconds }.reduce(0, +)
        cpu[.client] = ProcessUsage.sample(pid: getpid())?.cpuSeconds
        return cpu
    }
}
