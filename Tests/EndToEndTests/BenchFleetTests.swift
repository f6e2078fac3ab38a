import ChorusBench
import ChorusTestSupport
import Foundation
import Testing

extension EndToEnd {
    /// `chorus bench fleet` end to end: real broker, real worker processes, real client; the
    /// outcome (nothing lost, the report's keys), never the timings.
    @Suite("chorus bench fleet")
    struct BenchFleetTests {
        @Test("a tiny fleet (50 nodes in 2 workers) answers every scenario with no reply lost, and --json ends with the report's keys")
        func tinyFleet() async throws {
            let directory = FileManager.default.temporaryDirectory.appendingPathComponent("chorus-bench-fleet-test-\(UUID().uuidString)")
            defer { try? FileManager.default.removeItem(at: directory) }
            let result = try await CommandResult.run(
                executable: Fleet.executable,
                ["bench", "--nodes", "50", "--workers", "2", "--rounds", "2", "--clients", "2", "--sample", "10",
                 "--directory", directory.path, "--json"],
                timeout: 240)
            #expect(result.status == 0, "\(result.stderr)\n\(result.stdout)")
            let last = try #require(result.lines.last, "no output: \(result.stderr)")
            let object = try #require(
                try JSONSerialization.jsonObject(with: Data(last.utf8)) as? [String: Any], "the last line is not a JSON object: \(last)")
            for key in ["nodes", "replies", "lost", "first_reply_ms", "last_reply_ms", "replies_per_second", "broker_rss_bytes",
                        "workers", "p50_ms", "p90_ms", "p99_ms", "connect_ms", "broker_messages_per_second", "processes", "scenarios"] {
                #expect(object[key] != nil, "missing key \(key) in \(last)")
            }
            #expect(object["nodes"] as? Int == 50)
            #expect(object["workers"] as? Int == 2)
            #expect(object["lost"] as? Int == 0)
            #expect(object["replies"] as? Int == 100, "two broadcast rounds of 50 nodes")
            let scenarios = try #require(object["scenarios"] as? [[String: Any]])
            #expect(scenarios.count == 4)
            for scenario in scenarios {
                #expect(scenario["lost"] as? Int == 0, "\(scenario)")
                #expect(scenario["failed"] as? Int == 0, "\(scenario)")
                #expect(scenario["replies"] as? Int == scenario["expected"] as? Int, "\(scenario)")
            }
            // The filter matches nodes 0, 10, 20, 30 and 40 only; directed requests reach the sample; 2 clients × 2 rounds × 50.
            #expect(scenarios.map { $0["expected"] as? Int } == [100, 10, 5, 200])
            let processes = try #require(object["processes"] as? [String: Any])
            #expect(Set(processes.keys) == ["broker", "workers", "client"])
            #expect(result.stdout.contains("lost replies: 0"))
            // Every process the bench started has stopped: no worker still names this run's directory.
            let survivors = try await CommandResult.run(executable: "/usr/bin/pgrep", ["-f", directory.path])
            #expect(survivors.stdout.isEmpty, "still running: \(survivors.stdout)")
        }

        @Test("a fleet larger than the broker's open-file limit is refused before anything starts, naming the limit and the largest fleet that fits")
        func refusesWhatCannotFit() async throws {
            let result = try await CommandResult.run(["bench", "--nodes", "10000000"])
            #expect(result.status != 0)
            #expect(result.stderr.contains("open-file limit"), "\(result.stderr)")
            #expect(result.stderr.contains("The largest fleet that fits is"), "\(result.stderr)")
            #expect(result.stderr.contains("chorus bench --nodes "), "\(result.stderr)")
            #expect(!result.stderr.contains("starting"), "nothing may start: \(result.stderr)")
        }
    }
}

/// The fleet's layout on a machine's limits: pure, so the refusals are checked with the numbers.
@Suite("chorus bench fleet: capacity")
struct BenchFleetCapacityTests {
    private let machine = FleetCapacity(
        brokerFileLimit: (20_000, "RLIMIT_NOFILE"), processFileLimit: 20_000, ephemeralPorts: 28_232, clients: 5)

    @Test("nodes are spread evenly over workers, one per 10,000 by default, never more per worker than its file limit allows")
    func layout() throws {
        #expect(try machine.layout(nodes: 50).workers == [0..<50])
        #expect(try machine.layout(nodes: 50, workers: 2).workers == [0..<25, 25..<50])
        #expect(try machine.layout(nodes: 19_000).workers == [0..<9_500, 9_500..<19_000])
        #expect(try machine.layout(nodes: 7, workers: 3).workers == [0..<3, 3..<5, 5..<7])
        #expect(try machine.layout(nodes: 19_000).brokerConnections == 19_005)
        let roomy = FleetCapacity(brokerFileLimit: nil, processFileLimit: 5_100, ephemeralPorts: 28_232, clients: 5)
        #expect(try roomy.layout(nodes: 20_000).workers.count == 4, "5,000 nodes per worker at most")
        #expect(throws: FleetCapacityError.workerFileLimit(nodes: 20_000, workers: 2, limit: 5_100, needed: 4)) {
            try roomy.layout(nodes: 20_000, workers: 2)
        }
    }

    @Test("a fleet beyond the broker's open-file limit is refused with the largest that fits; beyond the port range likewise")
    func refusals() {
        #expect(machine.largestFleet == 19_895)
        #expect((try? machine.layout(nodes: 19_895)) != nil)
        #expect(throws: FleetCapacityError.brokerFileLimit(nodes: 50_000, clients: 5, limit: 20_000, source: "RLIMIT_NOFILE", largest: 19_895)) {
            try machine.layout(nodes: 50_000)
        }
        let message = FleetCapacityError.brokerFileLimit(nodes: 50_000, clients: 5, limit: 20_000, source: "RLIMIT_NOFILE", largest: 19_895).description
        #expect(message.contains("open-file limit is 20000"))
        #expect(message.contains("chorus bench --nodes 19895"))
        let unlimited = FleetCapacity(brokerFileLimit: nil, processFileLimit: 1_000_000, ephemeralPorts: 28_232, clients: 5)
        #expect(unlimited.largestFleet == 27_227)
        #expect(throws: FleetCapacityError.ephemeralPorts(nodes: 50_000, clients: 5, ports: 28_232, largest: 27_227)) {
            try unlimited.layout(nodes: 50_000)
        }
    }

    @Test("one node in ten is in each bench_group, whatever the fleet size")
    func groups() {
        #expect(SimulatedNodeProfile.members(ofGroup: 0, among: 50) == 5)
        #expect(SimulatedNodeProfile.members(ofGroup: 0, among: 51) == 6)
        #expect(SimulatedNodeProfile.members(ofGroup: 9, among: 9) == 0)
        #expect(SimulatedNodeProfile.members(ofGroup: 3, among: 19_000) == 1_900)
        #expect((0..<51).filter { SimulatedNodeProfile(index: $0, prefix: "b").group == 0 }.count == 6)
    }
}
