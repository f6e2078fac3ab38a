import ChorusTestSupport
import ChorusCore
import Foundation
import RubyMarshal
import Testing

extension EndToEnd {
    /// Bad input against real processes: each is rejected and counted, and the node keeps serving.
    @Suite("Hostile input and failures, end to end")
    struct RobustnessTests {
        static let psk = "s3cr3t"

        /// node1's counters via rpcutil daemon_stats.
        static func counters(_ fleet: Fleet, _ node: String = "node1") async throws -> [String: Any] {
            let result = try await fleet.chorus(["rpc", "rpcutil", "daemon_stats", "-I", node, "--json"])
            let replies = try EndToEnd.RPCTests.replies(result)
            return try #require(replies.first?["data"] as? [String: Any], "\(result.stdout) \(result.stderr)")
        }

        static func count(_ counters: [String: Any], _ key: String) -> Int { counters[key] as? Int ?? -1 }

        static func stillServes(_ fleet: Fleet) async throws {
            let ping = try await fleet.chorus(["rpc", "rpcutil", "ping", "-I", "node1", "-I", "node2", "-I", "node3", "--json"])
            #expect(ping.status == 0)
            #expect(try EndToEnd.RPCTests.replies(ping).count == 3)
        }

        @Test("bytes that are not STOMP get an ERROR frame and a closed connection; the broker keeps serving")
        func notStomp() async throws {
            let fleet = try await SharedFleet.shared.get()
            let answer = try RawSocket.exchange(port: fleet.port, bytes: Array("GET / HTTP/1.1\r\nHost: x\r\n\r\n".utf8))
            #expect(String(decoding: answer, as: UTF8.self).hasPrefix("ERROR"))
            try await Self.stillServes(fleet)
        }

        @Test("Marshal garbage and truncated Marshal are counted as unvalidated, with no reply")
        func marshalGarbage() async throws {
            let fleet = try await SharedFleet.shared.get()
            let before = try await Self.counters(fleet)
            let raw = try await RawClient.connect(port: fleet.port)
            let valid = try RawClient.request(action: "ping", psk: Self.psk)
            try await raw.sendDirected([0x04, 0x08, 0x7b, 0xff, 0xff, 0xff, 0xff], to: "node1")
            try await raw.sendDirected(Array(valid.prefix(valid.count / 2)), to: "node1")
            try await raw.sendDirected(Array("not marshal at all".utf8), to: "node1")
            #expect(try await raw.nextReply(psk: Self.psk, timeout: .milliseconds(500)) == nil)
            await raw.close()
            let after = try await Self.counters(fleet)
            #expect(Self.count(after, "unvalidated") == Self.count(before, "unvalidated") + 3)
            try await Self.stillServes(fleet)
            let log = try String(contentsOfFile: fleet.logFile("node1"), encoding: .utf8)
            #expect(log.contains("rejected a message"))
        }

        @Test("a request signed with the wrong PSK is rejected; a client with the wrong PSK hears nothing")
        func wrongPSK() async throws {
            let fleet = try await SharedFleet.shared.get()
            let before = try await Self.counters(fleet)
            let raw = try await RawClient.connect(port: fleet.port)
            try await raw.sendDirected(try RawClient.request(action: "ping", psk: "wrong"), to: "node1")
            #expect(try await raw.nextReply(psk: Self.psk, timeout: .milliseconds(500)) == nil)
            await raw.close()
            let config = fleet.directory.appendingPathComponent("wrong-psk.cfg").path
            try fleet.writeClientConfig(identity: "intruder", psk: "wrong", path: config)
            let result = try await fleet.chorus(["rpc", "rpcutil", "ping", "-I", "node1", "-t", "1"], config: config)
            #expect(result.status == 4)
            let after = try await Self.counters(fleet)
            #expect(Self.count(after, "unvalidated") >= Self.count(before, "unvalidated") + 2)
            try await Self.stillServes(fleet)
        }

        @Test("an expired request is counted in ttlexpired and not answered")
        func expired() async throws {
            let fleet = try await SharedFleet.shared.get()
            let before = try await Self.counters(fleet)
            let raw = try await RawClient.connect(port: fleet.port)
            try await raw.sendDirected(try RawClient.request(action: "ping", psk: Self.psk, ageSeconds: 120), to: "node1")
            #expect(try await raw.nextReply(psk: Self.psk, timeout: .milliseconds(500)) == nil)
            await raw.close()
            let after = try await Self.counters(fleet)
            #expect(Self.count(after, "ttlexpired") == Self.count(before, "ttlexpired") + 1)
            try await Self.stillServes(fleet)
        }

        @Test("an undeclared action and an invalid input come back as status 4 with MCollective's messages")
        func serverSideValidation() async throws {
            let fleet = try await SharedFleet.shared.get()
            let raw = try await RawClient.connect(port: fleet.port)
            try await raw.sendDirected(try RawClient.request(action: "frobnicate", psk: Self.psk), to: "node2")
            let undeclared = try #require(try await raw.nextReply(psk: Self.psk))
            let undeclaredBody = try #require(RPCReplyBody(undeclared.body))
            #expect(undeclaredBody.statusCode == 4)
            #expect(undeclaredBody.statusMessage == "Attempted to call action frobnicate for rpcutil but it's not declared in the DDL")

            try await raw.sendDirected(try RawClient.request(action: "get_fact", psk: Self.psk), to: "node2")
            let missingReply = try #require(try await raw.nextReply(psk: Self.psk))
            let missing = try #require(RPCReplyBody(missingReply.body))
            #expect(missing.statusCode == 4)
            #expect(missing.statusMessage == "Action get_fact needs a fact argument")

            try await raw.sendDirected(try RawClient.request(action: "get_fact", data: RubyHash(symbolKeys: ["fact": .int(3)]), psk: Self.psk), to: "node2")
            let wrongTypeReply = try #require(try await raw.nextReply(psk: Self.psk))
            let wrongType = try #require(RPCReplyBody(wrongTypeReply.body))
            #expect(wrongType.statusCode == 4)
            #expect(wrongType.statusMessage.contains("fact"))
            // The pre-filled outputs travel even in failures (rpc/reply.rb).
            #expect(wrongType.data["value"] != nil)
            await raw.close()
            try await Self.stillServes(fleet)
        }

        @Test("a request for an agent the node does not have is logged and not answered")
        func unknownAgent() async throws {
            let fleet = try await SharedFleet.shared.get()
            let raw = try await RawClient.connect(port: fleet.port)
            try await raw.sendDirected(try RawClient.request(agent: "nosuch", action: "ping", psk: Self.psk, filterOnAgent: false), to: "node1")
            #expect(try await raw.nextReply(psk: Self.psk, timeout: .milliseconds(500)) == nil)
            await raw.close()
            let log = try String(contentsOfFile: fleet.logFile("node1"), encoding: .utf8)
            #expect(log.contains("is for agent nosuch, which is not loaded on this node"))
            try await Self.stillServes(fleet)
        }

        @Test("the broker vanishes and comes back: nodes reconnect and serve again; SIGTERM stops a node cleanly")
        func brokerRestartAndShutdown() async throws {
            let fleet = try Fleet(nodes: Array(Fleet.oracleNodes.prefix(2)))
            defer { fleet.shutdown() }
            try await fleet.start()
            let port = fleet.port
            fleet.stopBroker()
            let down = try await fleet.chorus(["ping"])
            #expect(down.status == 1)
            #expect(down.stderr.contains("cannot connect to the broker"))
            #expect(fleet.isServerRunning("node1") && fleet.isServerRunning("node2"))
            try await fleet.startBroker(port: port)
            try await fleet.waitForNodes(["node1", "node2"])
            let status = fleet.stopServer("node1")
            #expect(status == 0)
            let log = try String(contentsOfFile: fleet.logFile("node1"), encoding: .utf8)
            #expect(log.contains("shutting down"))
            #expect(log.contains("reconnecting"))
        }
    }
}
