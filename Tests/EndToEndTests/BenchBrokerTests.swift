import ChorusTestSupport
import Foundation
import Testing

extension EndToEnd {
    /// `chorus bench broker` at a tiny size against the chorus broker it starts itself: a
    /// correctness check of the load generator (every message counted, nothing lost, the JSON
    /// report complete), not a measurement; no timing is asserted.
    @Suite("chorus bench broker")
    struct BenchBrokerTests {
        @Test("every scenario at a tiny size: nothing lost, every delivery counted, a complete JSON report, the broker stopped")
        func tinyRun() async throws {
            let result = try await CommandResult.run([
                "bench", "broker", "--scenarios", "idle,fanout,many-to-one,throughput", "--idle", "20", "--fanout", "1,3",
                "--publishers", "5", "--pairs", "2", "--seconds", "0.5", "--drain-seconds", "5", "--json",
            ])
            #expect(result.status == 0, "stdout: \(result.stdout)\nstderr: \(result.stderr)")
            let last = try #require(result.lines.last, "no output: \(result.stderr)")
            let report = try #require(try JSONSerialization.jsonObject(with: Data(last.utf8)) as? [String: Any], "not JSON: \(last)")
            #expect(report["lost"] as? Int == 0)
            #expect(report["errors"] as? Int == 0)
            #expect(report["date"] is String)
            let machine = try #require(report["machine"] as? [String: Any])
            #expect((machine["cpus"] as? Int ?? 0) >= 1)
            #expect((machine["memoryBytes"] as? Int ?? 0) > 0)

            let brokers = try #require(report["brokers"] as? [[String: Any]])
            #expect(brokers.count == 1)
            #expect(brokers.first?["kind"] as? String == "chorus")
            let pid = try #require(brokers.first?["pid"] as? Int, "the chorus broker's pid was not sampled")

            let scenarios = try #require(report["scenarios"] as? [[String: Any]])
            #expect(scenarios.map { $0["scenario"] as? String } == ["idle", "fanout", "fanout", "many-to-one", "throughput"])
            #expect(scenarios.map { $0["size"] as? Int } == [20, 1, 3, 5, 2])
            for scenario in scenarios {
                let name = "\(scenario["scenario"] ?? "?") \(scenario["size"] ?? "?")"
                let results = try #require(scenario["results"] as? [[String: Any]], "\(name)")
                #expect(results.count == 1, "\(name)")
                let chorus = try #require(results.first, "\(name)")
                #expect(chorus["broker"] as? String == "chorus", "\(name)")
                #expect(chorus["error"] == nil, "\(name): \(chorus["error"] ?? "")")
                #expect(chorus["lost"] as? Int == 0, "\(name)")
                #expect(chorus["duplicates"] as? Int == 0, "\(name)")
                #expect((chorus["rate"] as? Double ?? 0) > 0, "\(name)")
                #expect((chorus["brokerCPUSeconds"] as? Double) != nil, "\(name)")
                #expect((chorus["brokerResidentBytes"] as? Int ?? 0) > 0, "\(name)")
                let latency = try #require(chorus["latency"] as? [String: Any], "\(name)")
                for key in ["count", "p50", "p90", "p99", "max"] { #expect(latency[key] != nil, "\(name): latency.\(key)") }
                if scenario["scenario"] as? String == "idle" {
                    let idle = try #require(chorus["idle"] as? [String: Any], "\(name)")
                    #expect(idle["opened"] as? Int == 20)
                    #expect(idle["bytesPerConnection"] is Double)
                    #expect(latency["count"] as? Int == 20, "one handshake time per connection")
                } else {
                    // Every message sent reached every receiver exactly once.
                    let sent = chorus["sent"] as? Int ?? 0
                    let receivers = scenario["scenario"] as? String == "fanout" ? (scenario["size"] as? Int ?? 0) : 1
                    #expect(sent > 0, "\(name)")
                    #expect(chorus["expected"] as? Int == sent * receivers, "\(name)")
                    #expect(chorus["received"] as? Int == sent * receivers, "\(name)")
                    #expect(latency["count"] as? Int == sent * receivers, "\(name)")
                }
            }
            #expect(result.stdout.contains("fan-out: 1 publisher → 1 topic → 3 subscribers"))
            #expect(result.stdout.contains("lost: 0 deliveries"))
            // The broker the benchmark started is gone.
            #expect(kill(pid_t(pid), 0) == -1 && errno == ESRCH, "chorus broker \(pid) is still running")
        }

        @Test("a peer that is not listening is a clear error, and nothing is left running")
        func unreachablePeer() async throws {
            let result = try await CommandResult.run([
                "bench", "broker", "--scenarios", "throughput", "--pairs", "1", "--seconds", "0.2", "--rabbitmq", "127.0.0.1:1",
            ])
            #expect(result.status == 1, "\(result.stdout)\n\(result.stderr)")
            #expect(result.stdout.contains("rabbitmq: opening 1 subscribers: cannot connect to 127.0.0.1:1"), "\(result.stdout)")
        }
    }
}
