import ChorusCore
import ChorusSecurity
import ChorusTestSupport
import Foundation
import RubyMarshal
import Testing

extension EndToEnd {
    /// Replays, oversized and hostile requests against real nodes: each is refused, counted in
    /// daemon_stats and logged, and the node answers a legitimate request right after.
    @Suite("Hardening: replays, size and nesting limits, ssl tampering, end to end")
    struct HardeningTests {
        static let psk = "s3cr3t"

        static func counters(_ fleet: Fleet, _ node: String = "node1") async throws -> [String: Any] {
            try await EndToEnd.RobustnessTests.counters(fleet, node)
        }

        static func count(_ counters: [String: Any], _ key: String) -> Int { counters[key] as? Int ?? -1 }

        static func log(_ fleet: Fleet, _ node: String = "node1") throws -> String {
            try String(contentsOfFile: fleet.logFile(node), encoding: .utf8)
        }

        /// `chorus rpc rpcutil ping -I node` is answered by that node.
        static func answersPing(_ fleet: Fleet, _ node: String = "node1") async throws {
            let ping = try await fleet.chorus(["rpc", "rpcutil", "ping", "-I", node, "--json"])
            #expect(ping.status == 0, "\(ping.stderr)")
            let replies = try EndToEnd.RPCTests.replies(ping)
            #expect(replies.count == 1 && replies.first?["statuscode"] as? Int == 0)
        }

        /// A signed request with any filter and data.
        static func request(
            filter: RubyValue = Filter(agents: ["rpcutil"]).rubyValue, data: RubyHash = RubyHash(), security: any SecurityProvider,
            ttl: Int = 60, ageSeconds: Int = 0, id: String = Request.newRequestID()
        ) throws -> (bytes: [UInt8], id: String) {
            var arguments = data
            arguments.set(.bool(true), forSymbol: "process_results")
            let request = Request(
                requestID: id, senderID: "raw", callerID: security.callerID, agent: "rpcutil", collective: "mcollective",
                filter: filter, ttl: ttl, messageTime: Int(Date().timeIntervalSince1970) - ageSeconds,
                body: RPCRequestBody(agent: "rpcutil", action: "ping", caller: security.callerID, data: arguments).rubyValue)
            return (try security.encodeRequest(request), id)
        }

        static func nested(_ depth: Int) -> RubyValue {
            var value = RubyValue.str("bottom")
            for _ in 0..<depth { value = .array([value]) }
            return value
        }

        @Test("the same signed bytes twice: answered once; the copy is refused, counted replayed and unvalidated, logged with caller and id")
        func replayedRequest() async throws {
            let fleet = try await SharedFleet.shared.get()
            let before = try await Self.counters(fleet)
            let security = try PSKSecurityProvider(psk: Self.psk, callerID: "uid=4242")
            let (bytes, id) = try Self.request(security: security)
            let raw = try await RawClient.connect(port: fleet.port)
            try await raw.sendDirected(bytes, to: "node1")
            let first = try #require(try await raw.nextReply(psk: Self.psk))
            #expect(first.requestID == id)
            try await raw.sendDirected(bytes, to: "node1")
            #expect(try await raw.nextReply(psk: Self.psk, timeout: .milliseconds(700)) == nil)
            await raw.close()
            let after = try await Self.counters(fleet)
            #expect(Self.count(after, "replayed") == Self.count(before, "replayed") + 1)
            #expect(Self.count(after, "unvalidated") == Self.count(before, "unvalidated") + 1)
            #expect(Self.count(after, "validated") == Self.count(before, "validated") + 2)  // this copy, and the daemon_stats call
            #expect(try Self.log(fleet).contains("refused request \(id) from uid=4242@raw: replayed"))
            try await Self.answersPing(fleet)
        }

        @Test("a 5 MiB body (over the 4 MiB default) is refused before decoding, counted and logged with its size and sender")
        func oversizedBody() async throws {
            let fleet = try await SharedFleet.shared.get()
            let before = try await Self.counters(fleet)
            let security = try PSKSecurityProvider(psk: Self.psk, callerID: "uid=0")
            let (bytes, _) = try Self.request(data: RubyHash(symbolKeys: ["blob": .str(String(repeating: "x", count: 5 << 20))]), security: security)
            let raw = try await RawClient.connect(port: fleet.port)
            try await raw.sendDirected(bytes, to: "node1")
            #expect(try await raw.nextReply(psk: Self.psk, timeout: .seconds(1)) == nil)
            await raw.close()
            let after = try await Self.counters(fleet)
            #expect(Self.count(after, "unvalidated") == Self.count(before, "unvalidated") + 1)
            #expect(Self.count(after, "validated") == Self.count(before, "validated") + 1)  // only the daemon_stats call
            #expect(try Self.log(fleet).contains("refused a message of \(bytes.count) bytes from raw: larger than plugin.chorus.max_message_size (4194304 bytes)"))
            try await Self.answersPing(fleet)
        }

        @Test("Marshal nested 200 deep in the request data is rejected as unvalidated and logged")
        func deeplyNestedMarshal() async throws {
            let fleet = try await SharedFleet.shared.get()
            let before = try await Self.counters(fleet)
            let security = try PSKSecurityProvider(psk: Self.psk, callerID: "uid=0")
            let (bytes, _) = try Self.request(data: RubyHash(symbolKeys: ["deep": Self.nested(200)]), security: security)
            let raw = try await RawClient.connect(port: fleet.port)
            try await raw.sendDirected(bytes, to: "node1")
            #expect(try await raw.nextReply(psk: Self.psk, timeout: .milliseconds(700)) == nil)
            await raw.close()
            let after = try await Self.counters(fleet)
            #expect(Self.count(after, "unvalidated") == Self.count(before, "unvalidated") + 1)
            #expect(try Self.log(fleet).contains("rejected a message of \(bytes.count) bytes from raw: could not decode message: body: marshal data nested too deeply"))
            try await Self.answersPing(fleet)
        }

        @Test("a compound filter of 6,001 tokens is refused unread and logged; the client refuses oversized -S input itself")
        func hugeFilter() async throws {
            let fleet = try await SharedFleet.shared.get()
            let before = try await Self.counters(fleet)
            var tokens: [CompoundToken] = [.statement("role=web")]
            for _ in 0..<3000 { tokens += [.or, .statement("role=web")] }
            let security = try PSKSecurityProvider(psk: Self.psk, callerID: "uid=0")
            let (bytes, id) = try Self.request(filter: Filter(compound: [tokens]).rubyValue, security: security)
            let raw = try await RawClient.connect(port: fleet.port)
            try await raw.sendDirected(bytes, to: "node1")
            #expect(try await raw.nextReply(psk: Self.psk, timeout: .milliseconds(700)) == nil)
            await raw.close()
            let after = try await Self.counters(fleet)
            #expect(Self.count(after, "unvalidated") == Self.count(before, "unvalidated") + 1)
            #expect(Self.count(after, "filtered") == Self.count(before, "filtered"))
            #expect(try Self.log(fleet).contains("refused request \(id) from uid=0@raw: Filter too large: a compound expression has 6001 tokens, the limit is 4096"))
            try await Self.answersPing(fleet)

            let long = try await fleet.chorus(["rpc", "rpcutil", "ping", "-S", String(repeating: "role=web or ", count: 400) + "role=db"])
            #expect(long.status == 1 && long.stderr.contains("the limit is 4096"))
            let deep = try await fleet.chorus(["rpc", "rpcutil", "ping", "-S", String(repeating: "(", count: 33) + "role=web" + String(repeating: ")", count: 33)])
            #expect(deep.status == 1 && deep.stderr.contains("parentheses nested deeper than 32 levels"))
        }

        @Test("legitimate traffic of every kind never trips replay protection")
        func legitimateTrafficIsNeverAReplay() async throws {
            let fleet = try Fleet()
            defer { fleet.shutdown() }
            try await fleet.start()
            let nodeList = fleet.directory.appendingPathComponent("nodes.txt").path
            try "node1\nnode2\nnode3\nnode2\n".write(toFile: nodeList, atomically: true, encoding: .utf8)
            let commands: [[String]] = [
                ["ping"], ["find"], ["rpc", "rpcutil", "ping"], ["rpc", "rpcutil", "ping", "-F", "role=web"],
                ["rpc", "rpcutil", "ping", "-I", "node1", "-I", "node2"], ["rpc", "rpcutil", "ping", "-I", "node1", "-I", "node1"], ["rpc", "rpcutil", "ping", "--batch", "1", "--batch-sleep", "0"],
                ["rpc", "rpcutil", "ping", "--batch", "2", "-S", "role=web or role=db"], ["rpc", "rpcutil", "ping", "--nodes", nodeList],
                ["rpc", "rpcutil", "ping", "--limit-nodes", "2"], ["rpc", "rpcutil", "ping", "--no-results"],
                ["facts", "role"], ["inventory", "node2"], ["rpc", "rpcutil", "ping", "--dm", "flatfile", "--nodes", nodeList, "--batch", "1"],
            ]
            for command in commands {
                let result = try await fleet.chorus(command)
                #expect(result.status == 0, "\(command): \(result.stderr)")
            }
            try await Task.sleep(for: .milliseconds(300))  // the --no-results request is not waited for
            for node in ["node1", "node2", "node3"] {
                let stats = try await Self.counters(fleet, node)
                #expect(Self.count(stats, "replayed") == 0, "\(node)")
                #expect(Self.count(stats, "unvalidated") == 0, "\(node)")
                #expect(Self.count(stats, "total") > 10)
                #expect(try !Self.log(fleet, node).contains("refused"))
            }
        }

        @Test("ssl with YAML: huge YAML, a lengthened TTL, an expired request, a caller id that did not sign, and a replay")
        func sslYAML() async throws {
            let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("chorus-hardening-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: scratch) }
            let keys = try await HardeningSSLKeys.generate(in: scratch)
            let fleet = try Fleet(nodes: [Fleet.oracleNodes[0]], security: .ssl(keys.fleetKeys, serializer: "yaml"))
            defer { fleet.shutdown() }
            try await fleet.start()
            try await Self.answersPing(fleet)
            let client = try keys.client(serializer: .yaml)
            let raw = try await RawClient.connect(port: fleet.port)

            // 2 MiB of YAML: under the 4 MiB message limit, over the 1 MiB YAML limit.
            var stats = try await Self.counters(fleet)
            let (huge, _) = try Self.request(data: RubyHash(symbolKeys: ["blob": .str(String(repeating: "y", count: 2 << 20))]), security: client)
            try await raw.sendDirected(huge, to: "node1")
            #expect(try await raw.nextReply(security: client, timeout: .seconds(1)) == nil)
            var now = try await Self.counters(fleet)
            #expect(Self.count(now, "unvalidated") == Self.count(stats, "unvalidated") + 1)
            #expect(try Self.log(fleet).contains("YAML document of \(huge.count) bytes is longer than the limit of 1048576 bytes"))
            try await Self.answersPing(fleet)

            // An old request whose unsigned :ttl is raised to make it look fresh: the signature
            // covers the TTL and time the node checks, so it is tampering.
            stats = try await Self.counters(fleet)
            let (old, _) = try Self.request(security: client, ttl: 60, ageSeconds: 300)
            var envelope = try #require(try RubyYAML.load(old).asHash)
            envelope.set(.int(3600), forSymbol: "ttl")
            try await raw.sendDirected(try RubyYAML.dump(.hash(envelope)), to: "node1")
            #expect(try await raw.nextReply(security: client, timeout: .milliseconds(700)) == nil)
            // The same request as signed is simply expired.
            try await raw.sendDirected(old, to: "node1")
            #expect(try await raw.nextReply(security: client, timeout: .milliseconds(700)) == nil)
            now = try await Self.counters(fleet)
            #expect(Self.count(now, "unvalidated") == Self.count(stats, "unvalidated") + 1)
            #expect(Self.count(now, "ttlexpired") == Self.count(stats, "ttlexpired") + 1)
            #expect(try Self.log(fleet).contains("possible tampering"))

            // Signed with mcoclient's key but claiming to be cert=other (also trusted): invalid signature.
            stats = try await Self.counters(fleet)
            let impostor = try keys.client(serializer: .yaml, callerID: "cert=other")
            try await raw.sendDirected(try Self.request(security: impostor).bytes, to: "node1")
            #expect(try await raw.nextReply(security: client, timeout: .milliseconds(700)) == nil)
            now = try await Self.counters(fleet)
            #expect(Self.count(now, "unvalidated") == Self.count(stats, "unvalidated") + 1)
            #expect(try Self.log(fleet).contains("Received an invalid signature in message"))

            // A verbatim replay of a signed request.
            stats = try await Self.counters(fleet)
            let (signed, id) = try Self.request(security: client)
            try await raw.sendDirected(signed, to: "node1")
            #expect(try await raw.nextReply(security: client)?.requestID == id)
            try await raw.sendDirected(signed, to: "node1")
            #expect(try await raw.nextReply(security: client, timeout: .milliseconds(700)) == nil)
            now = try await Self.counters(fleet)
            #expect(Self.count(now, "replayed") == Self.count(stats, "replayed") + 1)
            #expect(Self.count(now, "unvalidated") == Self.count(stats, "unvalidated") + 1)
            #expect(try Self.log(fleet).contains("refused request \(id) from cert=mcoclient@raw: replayed"))
            await raw.close()
            try await Self.answersPing(fleet)
        }
    }
}
