import ArgumentParser
import ChorusBench
import ChorusConnector
import Foundation
import Logging
import NIOPosix
import STOMP

/// `chorus bench fleet-worker` (hidden): one worker process of `chorus bench fleet`, hosting
/// simulated nodes `--first` … `--first + --count - 1`. The pre-shared key comes from
/// `MCOLLECTIVE_PSK`. `FleetWorkerPool` builds this command line; `FleetWorkerProcess` is the body.
struct BenchFleetWorkerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fleet-worker",
        abstract: "One worker process of chorus bench fleet (started by it).",
        shouldDisplay: false)

    @Option var broker: String
    @Option var brokerKind: String = "chorus"
    @Option var connector: String = "activemq"
    @Option var prefix: String = "bench"
    @Option var first: Int
    @Option var count: Int
    @Option var statusFile: String
    @Option var connectWindow: Int = 256

    func run() async throws {
        try? LogSetup.bootstrap(path: nil, level: .warning)
        guard let psk = ProcessInfo.processInfo.environment["MCOLLECTIVE_PSK"], !psk.isEmpty else {
            throw ValidationFailure("chorus bench fleet-worker: MCOLLECTIVE_PSK is not set (chorus bench fleet sets it)")
        }
        guard let kind = BrokerTarget.Kind(rawValue: brokerKind) else { throw ValidationFailure("unknown --broker-kind \(brokerKind)") }
        let target = try BrokerTarget(kind: kind, parsing: broker)
        let dialect = try Connectors.named(connector)
        let brokers = STOMPClientConfiguration(endpoints: [target.endpoint], virtualHost: target.virtualHost, reconnects: true)
        let kit = try SimulatedNodeKit(prefix: prefix, psk: psk, connector: dialect, brokers: brokers)
        let worker = FleetWorkerProcess(kit: kit, range: first..<first + count, statusFile: statusFile, connectWindow: connectWindow)
        await worker.run(group: MultiThreadedEventLoopGroup.singleton, logger: Logger(label: "bench-worker"))
    }
}
