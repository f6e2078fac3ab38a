import ChorusTestSupport
import Foundation
import Testing

extension MixedCollectiveTests {
    /// Through each broker and connector (psk): `mco ping`, every rpcutil action and every
    /// filter type from the real `mco`, answered alike by a real node and a Chorus node.
    @Test("every rpcutil action and every filter type from the real mco", arguments: InteropScenario.selected.filter { $0.security == .psk })
    func everyActionAndFilter(scenario: InteropScenario) async throws {
        let collective = try await MixedCollective.start(scenario)
        defer { Task { await collective.stop() } }
        let everyone = MixedCollective.mcoNodes.union(MixedCollective.chorusNodes)

        let ping = try await collective.mco(["ping"])
        #expect(ping.status == 0)
        #expect(Set(ping.lines.filter { $0.contains("time=") }.map { String($0.prefix(while: { $0 != " " })) }) == everyone, "\(ping.stdout)")

        // (action, inputs, output keys whose values must be equal between the two kinds of node)
        let actions: [(String, [String], [String])] = [
            ("ping", [], []),
            ("inventory", [], ["agents", "classes", "collectives", "main_collective", "data_plugins"]),
            ("get_fact", ["fact=datacenter"], ["fact", "value"]),
            ("get_facts", ["facts=role,osfamily,cores"], ["values"]),
            ("agent_inventory", [], []),
            ("collective_info", [], ["main_collective", "collectives"]),
            ("daemon_stats", [], []),
            ("get_config_item", ["item=collectives"], ["item", "value"]),
            ("get_data", ["source=fstat", "query=/etc/passwd"], ["name", "output", "size", "type", "md5", "mode", "uid", "gid", "mtime_seconds"]),
        ]
        for (action, inputs, sameKeys) in actions {
            let result = try await collective.mco(["rpc", "rpcutil", action] + inputs + ["-I", "mco1", "-I", "chorus1", "-j"])
            #expect(result.status == 0, "\(action): \(result.stderr)")
            let replies = Self.bySender(try Self.json(result))
            let real = try #require(replies["mco1"], "\(action): no reply from mco1")
            let ours = try #require(replies["chorus1"], "\(action): no reply from chorus1")
            #expect(real["statuscode"] as? Int == 0 && ours["statuscode"] as? Int == 0, "\(action)")
            let realData = Self.data(real)
            let ourData = Self.data(ours)
            // daemon_stats also carries Chorus's own unauthorized and replayed counters (docs/COMPATIBILITY.md).
            let chorusOnly: Set<String> = action == "daemon_stats" ? ["unauthorized", "replayed"] : []
            #expect(Set(realData.keys) == Set(ourData.keys).subtracting(chorusOnly), "\(action): output keys differ: \(realData.keys.sorted()) vs \(ourData.keys.sorted())")
            #expect(chorusOnly.isSubset(of: Set(ourData.keys)), "\(action): Chorus's own keys are missing")
            for key in sameKeys {
                #expect(try Self.canonical(realData[key]) == Self.canonical(ourData[key]), "\(action).\(key): \(realData[key] ?? "nil") vs \(ourData[key] ?? "nil")")
            }
        }
        let agents = Self.bySender(try Self.json(try await collective.mco(["rpc", "rpcutil", "agent_inventory", "-I", "mco1", "-I", "chorus1", "-j"])))
        func agentNames(_ node: String) -> [String] {
            (Self.data(agents[node])["agents"] as? [[String: Any]] ?? []).compactMap { $0["agent"] as? String }
        }
        #expect(agentNames("mco1") == agentNames("chorus1") && !agentNames("mco1").isEmpty)

        let finds: [([String], Set<String>)] = [
            (["-A", "rpcutil"], everyone),
            (["-W", "role=web web::apache"], ["mco3", "chorus3"]),
            (["-F", "osfamily!=Debian"], ["mco2", "chorus2"]),
            (["-C", "/^web/", "-F", "datacenter=fra"], ["mco3", "chorus3"]),
            // MCollective's identity quirk: a node matching two identity filters is excluded.
            (["-I", "mco1", "-I", "/mco/", "-I", "chorus1", "-I", "/chorus/"], ["mco2", "mco3", "chorus2", "chorus3"]),
            (["-S", "fact('role').value=db"], ["mco2", "chorus2"]),
            (["-S", "agent('rpcutil').timeout=10 and datacenter=fra"], ["mco3", "chorus3"]),
            (["-S", "collective('mcollective').member=true and not role=web"], ["mco2", "chorus2"]),
        ]
        for (arguments, expected) in finds {
            let find = try await collective.mco(["find"] + arguments)
            #expect(Set(find.lines) == expected, "mco find \(arguments): \(find.stdout) \(find.stderr)")
        }
    }

    /// A JSON value as text with sorted keys, so equal values compare equal.
    static func canonical(_ value: Any?) throws -> String {
        let data = try JSONSerialization.data(withJSONObject: ["v": value ?? NSNull()], options: [.sortedKeys])
        return String(decoding: data, as: UTF8.self)
    }
}
