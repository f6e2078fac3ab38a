import ChorusTestSupport
import Foundation
import Testing

/// A `/stats` document as plain JSON (the end-to-end suites read what the command printed).
private struct Document {
    var root: [String: Any] = [:]

    init() {}

    init(_ text: String) throws {
        root = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any], "not a JSON object: \(text)")
    }

    func object(_ path: String...) -> [String: Any]? {
        var current: [String: Any]? = root
        for key in path { current = current?[key] as? [String: Any] }
        return current
    }

    func stat(_ name: String) -> Int? { object("stats")?[name] as? Int }
}

extension EndToEnd {
    /// The real `chorus broker --config …` with `stats.listen`, and the real `chorus broker stats`
    /// reading it: JSON, the table, rates, the configuration file, and the exit statuses.
    @Suite("chorus broker stats against a real broker process")
    struct BrokerStatsTests {
        /// A `chorus broker` started from a configuration file with both listeners on port 0;
        /// returns the process, the STOMP port and the statistics port (from its log).
        static func startBroker(in directory: URL) async throws -> (ChildProcess, stomp: Int, stats: Int) {
            let config = directory.appendingPathComponent("broker.cfg")
            try "listen = 127.0.0.1:0\nstats.listen = 127.0.0.1:0\nlimits.queue_depth = 50\n"
                .write(to: config, atomically: true, encoding: .utf8)
            let portFile = directory.appendingPathComponent("broker.port")
            let log = directory.appendingPathComponent("broker.log")
            let process = try Fleet.spawn(
                ["broker", "--config", config.path, "--port-file", portFile.path], log: log)
            for _ in 0..<400 {
                if let ports = try? String(contentsOf: portFile, encoding: .utf8), let stomp = Int(ports.trimmingCharacters(in: .whitespacesAndNewlines)),
                    let text = try? String(contentsOf: log, encoding: .utf8),
                    let line = text.split(separator: "\n").first(where: { $0.contains("statistics on http://127.0.0.1:") }),
                    let stats = Int(line.split(separator: "http://127.0.0.1:")[1].prefix { $0.isNumber })
                {
                    return (process, stomp, stats)
                }
                try await Task.sleep(for: .milliseconds(25))
            }
            process.stop()
            throw FleetError("the broker did not start; log: \((try? String(contentsOf: log, encoding: .utf8)) ?? "")")
        }

        @Test("--json is the endpoint's document with the broker's numbers; the table, --config and --watch read the same broker")
        func statsCommand() async throws {
            let directory = FileManager.default.temporaryDirectory.appendingPathComponent("chorus-stats-\(UUID().uuidString.prefix(8))")
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: directory) }
            let (broker, stomp, statsPort) = try await Self.startBroker(in: directory)
            defer { broker.stop() }
            let url = "http://127.0.0.1:\(statsPort)"

            // Three directed requests nobody consumes: three queue messages in, kept in the buffer.
            let client = try await RawClient.connect(port: stomp)
            for _ in 0..<3 { try await client.sendDirected(Array("hello".utf8), to: "node1") }
            var document = Document()
            for _ in 0..<100 {
                let json = try await CommandResult.run(["broker", "stats", "--json", "--url", url])
                #expect(json.status == 0, "\(json.stderr)")
                document = try Document(json.stdout)
                if document.stat("queueMessagesIn") == 3 { break }
                try await Task.sleep(for: .milliseconds(50))
            }
            #expect(document.stat("queueMessagesIn") == 3)
            #expect(document.stat("bufferedMessages") == 3)
            #expect(document.stat("connectionsCurrent") == 1)
            #expect(document.object("messages", "queue")?["in"] as? Int == 3)
            #expect(document.object("messages", "queue")?["out"] as? Int == 0)
            #expect(document.object("limits")?["limits.queue_depth"] as? Int == 50)
            #expect((document.root["listeners"] as? [[String: Any]])?.compactMap { $0["address"] as? String } == ["127.0.0.1:\(stomp)"])
            #expect(document.root["pid"] as? Int == Int(broker.pid))
            let version = try #require(document.root["version"] as? String)

            let table = try await CommandResult.run(["broker", "stats", "--url", url])
            #expect(table.status == 0, "\(table.stderr)")
            #expect(table.stdout.contains("chorus broker \(version), pid \(broker.pid), up "))
            #expect(table.stdout.contains("listening on 127.0.0.1:\(stomp); statistics on 127.0.0.1:\(statsPort)"))
            for heading in ["Connections", "Messages", "Drops, expiries, unrouted", "Security refusals", "Limits"] {
                #expect(table.stdout.contains("\n\(heading)"), "\(heading) missing from:\n\(table.stdout)")
            }
            let queueRow = try #require(table.lines.first { $0.hasPrefix("  queue ") })
            #expect(queueRow.split(separator: " ") == ["queue", "3", "0"])
            let openRow = try #require(table.lines.first { $0.contains("Open client connections") })
            #expect(openRow.split(separator: " ").last == "1")
            #expect(table.lines.contains { $0.contains("limits.queue_depth") && $0.hasSuffix(" 50") })

            // The broker's own configuration file names the endpoint.
            let fromFile = try await CommandResult.run(["broker", "stats", "--json", "--config", directory.appendingPathComponent("broker.cfg").path])
            #expect(fromFile.status == 1)
            #expect(fromFile.stderr.contains("port 0"), "\(fromFile.stderr)")
            let clientConfig = directory.appendingPathComponent("stats.cfg")
            try "stats.listen = 0.0.0.0:\(statsPort)\n".write(to: clientConfig, atomically: true, encoding: .utf8)
            let viaConfig = try await CommandResult.run(["broker", "stats", "--json", "-c", clientConfig.path])
            #expect(viaConfig.status == 0, "\(viaConfig.stderr)")
            #expect(try Document(viaConfig.stdout).stat("queueMessagesIn") == 3)

            // Two reports: the totals, then rates with the two messages sent in between.
            let watching = Task { try await CommandResult.run(["broker", "stats", "--url", url, "--watch", "1", "--count", "2"]) }
            try await Task.sleep(for: .milliseconds(300))
            for _ in 0..<2 { try await client.sendDirected(Array("again".utf8), to: "node2") }
            let watch = try await watching.value
            #expect(watch.status == 0, "\(watch.stderr)")
            #expect(watch.stdout.contains("per second over the last"), "\(watch.stdout)")
            #expect(watch.lines.contains { $0.hasPrefix("  queue ") && $0.hasSuffix("/s") })
            await client.close()

            // No broker: exit 1 with how to switch the endpoint on.
            broker.stop()
            let refused = try await CommandResult.run(["broker", "stats", "--url", url])
            #expect(refused.status == 1)
            #expect(refused.stderr.contains("cannot connect to \(url)/stats"), "\(refused.stderr)")
            #expect(refused.stderr.contains("stats.listen = 127.0.0.1:\(statsPort)"))
        }

        @Test("usage errors exit 2; a configuration without stats.listen exits 1 and says how to add it")
        func usageAndMissingEndpoint() async throws {
            for arguments in [["--watch", "soon"], ["--watch", "0"], ["--count", "2"], ["--url", "ftp://x:1"],
                              ["--url", "http://127.0.0.1:1", "--config", "/dev/null"], ["--bogus"], ["extra"]] {
                let result = try await CommandResult.run(["broker", "stats"] + arguments)
                #expect(result.status == 2, "\(arguments): \(result.stderr)")
                #expect(result.stderr.contains("Usage: chorus broker stats"), "\(result.stderr)")
            }
            let directory = FileManager.default.temporaryDirectory.appendingPathComponent("chorus-stats-\(UUID().uuidString.prefix(8))")
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: directory) }
            let config = directory.appendingPathComponent("broker.cfg")
            try "listen = 127.0.0.1:61613\n".write(to: config, atomically: true, encoding: .utf8)
            let missing = try await CommandResult.run(["broker", "stats", "--config", config.path])
            #expect(missing.status == 1)
            #expect(missing.stderr.contains("has no stats.listen"))
            #expect(missing.stderr.contains("stats.listen = 127.0.0.1:61680"))
        }

        @Test("`chorus broker --help` explains running the broker and `stats`; --stats-listen on the command line serves /healthz")
        func helpAndFlag() async throws {
            let help = try await CommandResult.run(["broker", "--help"])
            #expect(help.status == 0)
            for text in ["stats.listen", "chorus broker stats", "--listen", "--stats-listen", "run (default)", "limits.queue_depth"] {
                #expect(help.stdout.contains(text), "\(text) missing from:\n\(help.stdout)")
            }
            let statsHelp = try await CommandResult.run(["broker", "stats", "--help"])
            #expect(statsHelp.stdout.contains("--watch <seconds>"))

            let directory = FileManager.default.temporaryDirectory.appendingPathComponent("chorus-stats-\(UUID().uuidString.prefix(8))")
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: directory) }
            let portFile = directory.appendingPathComponent("broker.port")
            let log = directory.appendingPathComponent("broker.log")
            let broker = try Fleet.spawn(["broker", "--listen", "127.0.0.1:0", "--stats-listen", "0", "--port-file", portFile.path], log: log)
            defer { broker.stop() }
            var port: Int?
            for _ in 0..<400 where port == nil {
                let text = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
                if let line = text.split(separator: "\n").first(where: { $0.contains("statistics on http://127.0.0.1:") }) {
                    port = Int(line.split(separator: "http://127.0.0.1:")[1].prefix { $0.isNumber })
                } else {
                    try await Task.sleep(for: .milliseconds(25))
                }
            }
            let statsPort = try #require(port)
            let health = try RawSocket.exchange(port: statsPort, bytes: Array("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n".utf8))
            #expect(String(decoding: health, as: UTF8.self).hasPrefix("HTTP/1.1 200 OK\r\n"))
            #expect(String(decoding: health, as: UTF8.self).hasSuffix("\r\n\r\nok\n"))
        }
    }
}
