import Foundation
import NIOCore
import NIOPosix

/// Runs `chorus bench broker`: every scenario against every broker, one broker at a time
/// and scenario by scenario (so all brokers see the machine in the same state), with one
/// load generator.
///
/// Destinations are under `mcollective.bench.<run>.` so the interop harness's ActiveMQ
/// (which authorises `mcollective.>` only) accepts them, and each run's are new (RabbitMQ
/// keeps `/queue/` queues).
public struct BrokerBenchmark: Sendable {
    public var targets: [BrokerTarget]
    public var scenarios: [BrokerScenario]
    public var settings: BrokerBenchSettings
    /// Progress lines (to standard error in the command).
    public var progress: @Sendable (String) -> Void

    public init(targets: [BrokerTarget], scenarios: [BrokerScenario], settings: BrokerBenchSettings,
                progress: @escaping @Sendable (String) -> Void = { _ in }) {
        self.targets = targets
        self.scenarios = scenarios
        self.settings = settings
        self.progress = progress
    }

    public func run() async -> BrokerBenchReport {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: max(1, settings.threads))
        let run = UInt32.random(in: 1...UInt32.max)
        let connections = ConnectionSettings(
            concurrency: settings.connectConcurrency, sourceAddresses: settings.sourceAddresses)
        var reports: [ScenarioReport] = []
        for (index, scenario) in scenarios.enumerated() {
            var results: [BrokerResult] = []
            for target in targets {
                progress("[\(index + 1)/\(scenarios.count)] \(scenario.title): \(target.kind.rawValue) …")
                let prefix = "mcollective.bench.\(run).\(index)"
                let result = await measure(scenario, on: target, run: run, prefix: prefix, group: group, connections: connections)
                progress("    " + BrokerBenchTables.progressLine(result, unit: scenario.unit))
                results.append(result)
            }
            reports.append(ScenarioReport(scenario: scenario, window: settings.window(for: scenario), results: results))
        }
        try? await group.shutdownGracefully()
        return BrokerBenchReport(
            date: ISO8601DateFormatter().string(from: Date()), machine: .current(), settings: settings,
            brokers: targets, scenarios: reports)
    }

    func measure(
        _ scenario: BrokerScenario, on target: BrokerTarget, run: UInt32, prefix: String, group: any EventLoopGroup,
        connections: ConnectionSettings
    ) async -> BrokerResult {
        let window = settings.window(for: scenario)
        let flow: MessageFlow
        switch scenario {
        case .idle(let count):
            let idle = IdleConnections(count: count, destination: "/topic/\(prefix).idle", settleSeconds: settings.settleSeconds)
            let outcome = await idle.measure(target, group: group, connections: connections)
            return BrokerResult(
                broker: target.kind.rawValue, rate: outcome.openSeconds > 0 ? Double(outcome.opened) / outcome.openSeconds : 0,
                latency: outcome.handshake, sent: 0, expected: 0, received: 0, lost: 0, duplicates: 0,
                seconds: outcome.openSeconds, brokerCPUSeconds: outcome.brokerCPUSeconds,
                brokerResidentBytes: outcome.residentOpen,
                idle: IdleFigures(
                    requested: outcome.requested, opened: outcome.opened, residentBefore: outcome.residentBefore,
                    residentOpen: outcome.residentOpen, residentAfterClose: outcome.residentAfterClose,
                    bytesPerConnection: outcome.bytesPerConnection),
                error: outcome.error)
        case .fanOut(let subscribers):
            let topic = "/topic/\(prefix).fanout"
            flow = flowShape(
                publishers: [.init(destination: topic, receivers: subscribers, window: window)],
                subscriptions: Array(repeating: topic, count: subscribers), run: run,
                interval: settings.interval(for: scenario))
        case .manyToOne(let publishers):
            let queue = "/queue/\(prefix).replies"
            flow = flowShape(
                publishers: Array(repeating: .init(destination: queue, receivers: 1, window: window), count: publishers),
                subscriptions: [queue], run: run, interval: settings.interval(for: scenario))
        case .throughput(let pairs):
            let queues = (0..<pairs).map { "/queue/\(prefix).pair\($0)" }
            flow = flowShape(
                publishers: queues.map { .init(destination: $0, receivers: 1, window: window) }, subscriptions: queues, run: run,
                interval: settings.interval(for: scenario))
        }
        let outcome = await flow.measure(target, group: group, connections: connections)
        return BrokerResult(
            broker: target.kind.rawValue, rate: outcome.deliveriesPerSecond, latency: outcome.latency, sent: outcome.sent,
            expected: outcome.expected, received: outcome.received, lost: outcome.lost, duplicates: outcome.duplicates,
            seconds: outcome.seconds, brokerCPUSeconds: outcome.brokerCPUSeconds,
            brokerResidentBytes: outcome.brokerResidentBytes, idle: nil, error: outcome.error)
    }

    private func flowShape(
        publishers: [MessageFlow.PublisherSpec], subscriptions: [String], run: UInt32, interval: Int64?
    ) -> MessageFlow {
        MessageFlow(
            publishers: publishers, subscriptions: subscriptions, seconds: settings.seconds, drainSeconds: settings.drainSeconds,
            payloadBytes: settings.payloadBytes, run: run, interval: interval)
    }
}
