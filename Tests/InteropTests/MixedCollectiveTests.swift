import ChorusCore
import ChorusTestSupport
import Foundation
import RubyMarshal
import Testing

/// Two-way compatibility with MCollective 2.12 from Debian: in every cell of the matrix
/// (RabbitMQ, ActiveMQ and `chorus broker`; the rabbitmq and activemq connectors; psk,
/// ssl+Marshal and ssl+YAML), the real `mco` drives Chorus nodes, `chorus` drives real
/// `mcollectived`, and the mixed collective answers both as one fleet.
@Suite("Interoperability with real MCollective", .serialized)
struct MixedCollectiveTests {
    static func json(_ result: CommandResult) throws -> [[String: Any]] {
        let object = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8))
        return try #require(object as? [[String: Any]], "not a JSON array: \(result.stdout) \(result.stderr)")
    }

    static func bySender(_ replies: [[String: Any]]) -> [String: [String: Any]] {
        Dictionary(replies.map { ($0["sender"] as? String ?? "", $0) }, uniquingKeysWith: { first, _ in first })
    }

    static func data(_ reply: [String: Any]?) -> [String: Any] { reply?["data"] as? [String: Any] ?? [:] }

    @Test("mco and chorus, both ways, in one mixed collective", arguments: InteropScenario.selected)
    func mixedCollective(scenario: InteropScenario) async throws {
        let collective = try await MixedCollective.start(scenario)
        defer { Task { await collective.stop() } }
        let everyone = MixedCollective.mcoNodes.union(MixedCollective.chorusNodes)

        // Real mco → Chorus nodes, directed (no discovery).
        let ping = try await collective.mco(["rpc", "rpcutil", "ping", "-I", "chorus1", "-I", "chorus2", "-I", "chorus3", "-j"])
        #expect(ping.status == 0, "\(ping.stderr)")
        let pings = Self.bySender(try Self.json(ping))
        #expect(Set(pings.keys) == MixedCollective.chorusNodes)
        #expect(pings.values.allSatisfy { $0["statuscode"] as? Int == 0 && Self.data($0)["pong"] is Int })

        // mco discovery sees both kinds of node; filters select the same nodes among both kinds.
        let find = try await collective.mco(["find"])
        #expect(Set(find.lines) == everyone, "\(find.stdout) \(find.stderr)")
        let compound = try await collective.mco(["find", "-S", "/^web/ and not datacenter=fra and fstat('/etc/passwd').type=file"])
        #expect(Set(compound.lines) == ["mco1", "chorus1"], "\(compound.stdout) \(compound.stderr)")
        let facts = try await collective.mco(["find", "-F", "cores>3", "-C", "common", "-I", "/[12]$/"])
        #expect(Set(facts.lines) == ["mco1", "mco2", "chorus1", "chorus2"])

        // mco rpc across the fleet: same answers for the same facts.
        let getFact = try await collective.mco(["rpc", "rpcutil", "get_fact", "fact=osfamily", "-j"])
        let values = Self.bySender(try Self.json(getFact)).mapValues { Self.data($0)["value"] as? String ?? "?" }
        #expect(Set(values.keys) == everyone)
        for index in 1...3 { #expect(values["mco\(index)"] == values["chorus\(index)"]) }

        // Inventory content is the same for the same facts and classes.
        let inventory = Self.bySender(try Self.json(try await collective.mco(["rpc", "rpcutil", "inventory", "-I", "mco1", "-I", "chorus1", "-j"])))
        let real = Self.data(inventory["mco1"])
        let ours = Self.data(inventory["chorus1"])
        #expect(real["classes"] as? [String] == ours["classes"] as? [String])
        #expect(real["agents"] as? [String] == ours["agents"] as? [String])
        #expect(real["collectives"] as? [String] == ours["collectives"] as? [String])
        #expect(real["data_plugins"] as? [String] == ours["data_plugins"] as? [String])
        var realFacts = real["facts"] as? [String: String] ?? [:]
        var ourFacts = ours["facts"] as? [String: String] ?? [:]
        realFacts["hostname"] = nil
        ourFacts["hostname"] = nil
        #expect(!realFacts.isEmpty && realFacts == ourFacts)

        // mco's facts and inventory applications against the mixed fleet.
        let report = try await collective.mco(["facts", "role"])
        #expect(report.stdout.range(of: #"web\s+found 4 times"#, options: .regularExpression) != nil, "\(report.stdout)")
        #expect(report.stdout.range(of: #"db\s+found 2 times"#, options: .regularExpression) != nil)
        let mcoInventory = try await collective.mco(["inventory", "chorus2"])
        #expect(mcoInventory.status == 0)
        #expect(mcoInventory.stdout.contains("db::postgres") && mcoInventory.stdout.contains("osfamily => RedHat"))

        // --batch and --no-results from mco against Chorus nodes.
        let batch = try await collective.mco(["rpc", "rpcutil", "ping", "--batch", "1", "--batch-sleep", "0", "-I", "chorus1", "-I", "chorus3", "-j"])
        #expect(Set(Self.bySender(try Self.json(batch)).keys) == ["chorus1", "chorus3"])
        let fireAndForget = try await collective.mco(["rpc", "rpcutil", "ping", "--no-results", "-I", "chorus2"])
        #expect(fireAndForget.status == 0 && fireAndForget.stdout.contains("Request sent with id"))

        // chorus → real mcollectived, and the whole mixed fleet.
        let chorusFind = try await collective.chorus(["find"])
        #expect(Set(chorusFind.lines) == everyone, "\(chorusFind.stdout) \(chorusFind.stderr)")
        let chorusFacts = Self.bySender(try Self.json(try await collective.chorus(["rpc", "rpcutil", "get_fact", "fact=role", "--json"])))
        #expect(Set(chorusFacts.keys) == everyone)
        #expect(Self.data(chorusFacts["mco2"])["value"] as? String == "db")
        let stats = Self.bySender(try Self.json(try await collective.chorus(["rpc", "rpcutil", "daemon_stats", "-I", "mco1", "-I", "mco3", "--json"])))
        #expect(Set(stats.keys) == ["mco1", "mco3"])
        #expect(Self.data(stats["mco1"])["version"] as? String == "2.12.5")

        // Failures look the same from both kinds of node: status 1, exit 2.
        let failure = try await collective.chorus(["rpc", "rpcutil", "get_config_item", "item=nosuch", "-I", "mco1", "-I", "chorus1", "--json"])
        #expect(failure.status == 2)
        let failed = Self.bySender(try Self.json(failure))
        for node in ["mco1", "chorus1"] {
            #expect(failed[node]?["statuscode"] as? Int == 1)
            #expect(failed[node]?["statusmsg"] as? String == "Unknown config property nosuch")
        }

        // A node that does not exist: no response, exit 4 without discovery.
        let missing = try await collective.chorus(["rpc", "rpcutil", "ping", "-I", "mco9", "-t", "1"])
        #expect(missing.status == 4)
    }
}
