import ChorusConnector
import Foundation
import Testing

/// A captured STOMP frame's command and headers, in order.
struct FrameHeaders {
    let command: String
    let headers: [(String, String)]

    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/frames")

    init(_ path: String) throws {
        let raw = try Data(contentsOf: Self.directory.appendingPathComponent(path))
        let bytes = Array(raw)
        let end = try #require((0..<(bytes.count - 1)).first { bytes[$0] == 0x0A && bytes[$0 + 1] == 0x0A })
        let lines = String(decoding: bytes[..<end], as: UTF8.self).split(separator: "\n").map(String.init)
        command = lines[0]
        headers = lines.dropFirst().map { line in
            let colon = line.firstIndex(of: ":")!
            return (String(line[..<colon]), String(line[line.index(after: colon)...]))
        }
    }

    func value(_ name: String) -> String? { headers.first { $0.0 == name }?.1 }

    /// The headers a connector chooses: everything but what the STOMP client adds itself.
    var connectorHeaders: [String] {
        headers.filter { !["destination", "content-length", "content-type", "id"].contains($0.0) }.map { "\($0.0):\($0.1)" }
    }

    var names: [String] { headers.map(\.0) }
}

extension OutgoingMessage {
    var lines: [String] { headers.map { "\($0.name):\($0.value)" } }
}

extension ConnectorSubscription {
    var lines: [String] { headers.map { "\($0.name):\($0.value)" } }
}

@Suite("rabbitmq connector against MCollective's captured frames")
struct RabbitMQConnectorTests {
    let connector = RabbitMQConnector()

    @Test("registered as connector = rabbitmq, CONNECT host / by default")
    func registry() throws {
        let named = try Connectors.named("rabbitmq")
        #expect(named.name == "rabbitmq")
        #expect(named.defaultVirtualHost == "/")
        #expect(try Connectors.named("RabbitMQ").name == "rabbitmq")
        #expect(try Connectors.named("activemq").name == "activemq")
        #expect(throws: ConnectorError.self) { try Connectors.named("stomp") }
    }

    @Test("node subscriptions: directed then one broadcast per agent, as SUBSCRIBE 03/04/05")
    func subscriptions() throws {
        let subscriptions = connector.nodeSubscriptions(identity: "node2", collective: "mcollective", agents: ["discovery", "rpcutil"])
        let frames = try [
            "rabbitmq_psk/03_server_SUBSCRIBE_directed.frame", "rabbitmq_psk/04_server_SUBSCRIBE_broadcast_discovery.frame",
            "rabbitmq_psk/05_server_SUBSCRIBE_broadcast_rpcutil.frame",
        ].map { try FrameHeaders($0) }
        try #require(subscriptions.count == frames.count)
        for (subscription, frame) in zip(subscriptions, frames) {
            #expect(frame.command == "SUBSCRIBE")
            #expect(subscription.destination == frame.value("destination"))
            #expect(subscription.lines == frame.connectorHeaders)
            // STOMP 1.0: the connector's headers, then destination (the client adds it after them).
            #expect(frame.names == subscription.headers.map(\.name) + ["destination", "content-length", "content-type"])
        }
    }

    @Test("STOMP 1.1 subscription ids, as the heart-beat capture's SUBSCRIBE 03/04")
    func subscriptionIDs() throws {
        let directed = try FrameHeaders("rabbitmq_psk_stomp11_heartbeat/03_server_SUBSCRIBE_directed_with_id.frame")
        let broadcast = try FrameHeaders("rabbitmq_psk_stomp11_heartbeat/04_server_SUBSCRIBE_broadcast_with_id.frame")
        let subscriptions = connector.nodeSubscriptions(identity: "node1", collective: "mcollective", agents: ["discovery"])
        try #require(subscriptions.count == 2)
        for (subscription, frame) in zip(subscriptions, [directed, broadcast]) {
            #expect(subscription.destination == frame.value("destination"))
            #expect(subscription.id == frame.value("id"))
            #expect(subscription.lines == frame.connectorHeaders)
            #expect(frame.names == subscription.headers.map(\.name) + ["destination", "id", "content-length", "content-type"])
        }
        #expect(subscriptions[0].id == "mcollective_node1_directed_to_identity")
        #expect(subscriptions[1].id == "mcollective_broadcast_discovery")
    }

    @Test("replies go to a temp queue named after the agent that the client never subscribes to")
    func replyDestination() {
        let destination = connector.replyDestination(collective: "mcollective", identity: "mcoclient", agent: "rpcutil", pid: 4242, sequence: 7)
        #expect(destination.replyTo == "/temp-queue/mcollective_reply_rpcutil")
        #expect(destination.subscription == nil)
        #expect(connector.replyDestination(collective: "other", identity: "x", agent: "discovery", pid: 1, sequence: 1).replyTo
            == "/temp-queue/mcollective_reply_discovery")
    }

    @Test("broadcast discovery requests, as SEND 10 and 20")
    func broadcast() throws {
        for path in ["rabbitmq_psk/10_ping_discovery_request_SEND.frame", "rabbitmq_psk/20_rpc_discovery_request_agentfilter_SEND.frame"] {
            let frame = try FrameHeaders(path)
            let replyTo = connector.replyDestination(collective: "mcollective", identity: "mcoclient", agent: "discovery", pid: 1, sequence: 1).replyTo
            let message = connector.broadcastRequest(collective: "mcollective", agent: "discovery", replyTo: replyTo, sender: "mcoclient", ttl: 60, now: 1_795_542_353)
            #expect(frame.command == "SEND")
            #expect(message.destination == frame.value("destination"))
            #expect(message.lines == frame.connectorHeaders)
            #expect(frame.names == message.headers.map(\.name) + ["destination", "content-length", "content-type"])
        }
        let rpc = try FrameHeaders("rabbitmq_psk/56_rpc_ping_12nodes_over_threshold_BROADCAST_request_SEND.frame")
        let message = connector.broadcastRequest(collective: "mcollective", agent: "rpcutil", replyTo: nil, sender: "mcoclient", ttl: 60, now: 0)
        #expect(message.destination == rpc.value("destination"))
        #expect(message.lines == rpc.connectorHeaders)
    }

    @Test("a directed request, as SEND 21")
    func directed() throws {
        let frame = try FrameHeaders("rabbitmq_psk/21_rpc_ping_directed_request_SEND.frame")
        let replyTo = connector.replyDestination(collective: "mcollective", identity: "mcoclient", agent: "rpcutil", pid: 1, sequence: 1).replyTo
        let message = connector.directedRequest(collective: "mcollective", node: "node3", replyTo: replyTo, sender: "mcoclient", ttl: 60, now: 1_795_542_353)
        #expect(message.destination == "/exchange/mcollective_directed/node3")
        #expect(message.destination == frame.value("destination"))
        #expect(message.lines == frame.connectorHeaders)
        #expect(frame.names == message.headers.map(\.name) + ["destination", "content-length", "content-type"])
    }

    @Test("a reply goes to the request's rewritten reply-to, as SEND 12 and 22")
    func reply() throws {
        for (path, sender) in [("rabbitmq_psk/12_ping_discovery_reply_SEND_from_node1.frame", "node1"), ("rabbitmq_psk/22_rpc_ping_reply_SEND.frame", "node2")] {
            let frame = try FrameHeaders(path)
            let replyTo = try #require(frame.value("destination"))
            #expect(replyTo.hasPrefix("/reply-queue/amq.gen-"))
            let message = connector.reply(to: replyTo, sender: sender, ttl: 60, now: 1_795_542_353)
            #expect(message.destination == replyTo)
            #expect(message.lines == frame.connectorHeaders)
            #expect(frame.names == message.headers.map(\.name) + ["destination", "content-length", "content-type"])
        }
    }

    @Test("expiration is (ttl + 10) s in ms, relative, whatever the clock")
    func expiration() {
        let early = connector.directedRequest(collective: "c", node: "n", replyTo: nil, sender: "s", ttl: 5, now: 0)
        let late = connector.directedRequest(collective: "c", node: "n", replyTo: nil, sender: "s", ttl: 5, now: 2_000_000_000)
        #expect(early == late)
        #expect(early.lines == ["expiration:15000", "mc_sender:s"])
    }
}
