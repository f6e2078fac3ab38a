import ChorusCore
import ChorusTestSupport
import Foundation
import RubyMarshal
import Testing

extension MixedCollectiveTests {
    /// The same bad requests, sent by hand to a real node and to a Chorus node, get the
    /// same treatment: the same status code and message, or the same silence.
    @Test("bad requests are treated alike by real and Chorus nodes (psk)", arguments: InteropScenario.selected.filter { $0.security == .psk })
    func rejectionParity(scenario: InteropScenario) async throws {
        let collective = try await MixedCollective.start(scenario)
        defer { Task { await collective.stop() } }
        let raw = try await RawClient.connect(port: collective.port, connector: scenario.connector)
        defer { Task { await raw.close() } }
        let psk = "s3cr3t"

        func outcome(_ bytes: [UInt8], to node: String) async throws -> String {
            try await raw.sendDirected(bytes, to: node)
            guard let reply = try await raw.nextReply(psk: psk, timeout: .seconds(3)) else { return "no reply" }
            guard let body = RPCReplyBody(reply.body) else { return "not an RPC reply: \(reply.body)" }
            return "\(body.statusCode) \(body.statusMessage)"
        }

        // (what, request, what real MCollective 2.12 does: status code, or "no reply")
        let cases: [(String, () throws -> [UInt8], String)] = [
            ("undeclared action", { try RawClient.request(action: "frobnicate", psk: psk) }, "4 "),
            ("missing required input", { try RawClient.request(action: "get_fact", psk: psk) }, "4 "),
            ("input failing validation", { try RawClient.request(action: "get_fact", data: RubyHash(symbolKeys: ["fact": "no spaces!"]), psk: psk) }, "4 "),
            ("unknown config item", { try RawClient.request(action: "get_config_item", data: RubyHash(symbolKeys: ["item": "nosuch"]), psk: psk) }, "1 "),
            ("wrong pre-shared key", { try RawClient.request(action: "ping", psk: "wrong") }, "no reply"),
            ("expired", { try RawClient.request(action: "ping", psk: psk, ageSeconds: 600) }, "no reply"),
            ("a good request, for contrast", { try RawClient.request(action: "ping", psk: psk) }, "0 OK"),
        ]
        for (name, make, expected) in cases {
            let real = try await outcome(try make(), to: "mco1")
            let ours = try await outcome(try make(), to: "chorus1")
            #expect(real.hasPrefix(expected), "\(name): mcollectived said '\(real)'")
            #expect(real == ours, "\(name): mcollectived said '\(real)', Chorus said '\(ours)'")
        }
    }
}
