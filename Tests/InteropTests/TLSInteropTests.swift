import ChorusTestSupport
import Foundation
import Testing

extension MixedCollectiveTests {
    /// The mixed collective over TLS with client certificates: real `mcollectived` and `mco`
    /// (the stomp gem's TLS, MCollective's pool.1.ssl* keys) and Chorus nodes and client, on
    /// `chorus broker`'s TLS listener, RabbitMQ's `stomp.listeners.ssl` and ActiveMQ's
    /// `stomp+ssl` connector, all with certificates from one CA made by up.sh.
    @Test("over TLS: mco reaches Chorus nodes, chorus reaches mcollectived", arguments: InteropScenario.selectedTLS)
    func mixedCollectiveOverTLS(scenario: InteropScenario) async throws {
        let collective = try await MixedCollective.start(scenario)
        defer { Task { await collective.stop() } }
        let everyone = MixedCollective.mcoNodes.union(MixedCollective.chorusNodes)

        // Real mco → Chorus nodes: ping (directed) and an rpc call across the whole fleet.
        let ping = try await collective.mco(["rpc", "rpcutil", "ping", "-I", "chorus1", "-I", "chorus2", "-I", "chorus3", "-j"])
        #expect(ping.status == 0, "\(ping.stderr)")
        #expect(Set(Self.bySender(try Self.json(ping)).keys) == MixedCollective.chorusNodes)
        let getFact = try await collective.mco(["rpc", "rpcutil", "get_fact", "fact=osfamily", "-j"])
        let values = Self.bySender(try Self.json(getFact)).mapValues { Self.data($0)["value"] as? String ?? "?" }
        #expect(Set(values.keys) == everyone, "\(getFact.stdout) \(getFact.stderr)")
        for index in 1...3 { #expect(values["mco\(index)"] == values["chorus\(index)"]) }

        // chorus → real mcollectived: ping and an rpc call.
        let chorusPing = try await collective.chorus(["ping"])
        #expect(chorusPing.status == 0, "\(chorusPing.stderr)")
        for node in everyone { #expect(chorusPing.stdout.contains(node), "\(chorusPing.stdout)") }
        let roles = Self.bySender(try Self.json(try await collective.chorus(
            ["rpc", "rpcutil", "get_fact", "fact=role", "-I", "mco1", "-I", "mco2", "-I", "mco3", "--json"])))
        #expect(Set(roles.keys) == MixedCollective.mcoNodes)
        #expect(Self.data(roles["mco2"])["value"] as? String == "db")

        // Both kinds of node really connected over verified TLS.
        let directory = try #require(collective.state["INTEROP_DIR"])
        let realLog = (try? String(contentsOfFile: "\(directory)/nodes/mco1/mcollectived.log", encoding: .utf8)) ?? ""
        #expect(realLog.contains("SSL session established with stomp+ssl://mcollective@127.0.0.1:\(collective.port)"), "\(realLog.suffix(1500))")
        let ourLog = (try? String(contentsOfFile: collective.fleet.logFile("chorus1"), encoding: .utf8)) ?? ""
        #expect(ourLog.contains("connected to broker 127.0.0.1:\(collective.port) (STOMP 1.0, TLS, broker verified)"), "\(ourLog.suffix(1500))")
    }
}
