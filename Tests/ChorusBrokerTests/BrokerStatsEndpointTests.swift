import ChorusTestSupport
import Foundation
import Logging
import NIOCore
import NIOPosix
import STOMP
import Synchronization
import Testing

@testable import ChorusBroker

/// What an HTTP server answered, parsed from the raw bytes.
struct HTTPAnswer {
    var status: Int
    /// Header names lowercased.
    var headers: [String: String]
    var body: String

    init(raw: [UInt8]) throws {
        let text = String(decoding: raw, as: UTF8.self)
        guard let split = text.range(of: "\r\n\r\n") else { throw TestTimeout(what: "a complete HTTP answer, got '\(text)'") }
        let lines = text[..<split.lowerBound].components(separatedBy: "\r\n")
        let statusLine = lines[0].split(separator: " ")
        guard statusLine.count >= 2, statusLine[0] == "HTTP/1.1", let status = Int(statusLine[1]) else {
            throw TestTimeout(what: "an HTTP status line, got '\(lines[0])'")
        }
        self.status = status
        var headers: [String: String] = [:]
        for line in lines.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        self.headers = headers
        body = String(text[split.upperBound...])
    }

    /// Sends `request` as is over a new loopback connection and reads until the server closes.
    static func exchange(_ request: String, port: Int) throws -> HTTPAnswer {
        try HTTPAnswer(raw: RawSocket.exchange(port: port, bytes: Array(request.utf8)))
    }

    static func get(_ path: String, port: Int) throws -> HTTPAnswer {
        try exchange("GET \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n", port: port)
    }
}

/// A loopback TCP connection that writes what it is told and keeps what it receives: a slow
/// HTTP client that sends part of a request and then nothing.
final class HeldConnection: Sendable {
    final class Collector: ChannelInboundHandler, Sendable {
        typealias InboundIn = ByteBuffer
        let bytes = Mutex<[UInt8]>([])
        let closed = Mutex(false)
        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            let buffer = unwrapInboundIn(data)
            bytes.withLock { $0 += buffer.readableBytesView }
        }
        func channelInactive(context: ChannelHandlerContext) {
            closed.withLock { $0 = true }
        }
    }

    let channel: any Channel
    let collector: Collector

    init(port: Int, sending text: String) async throws {
        let collector = Collector()
        channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture { try channel.pipeline.syncOperations.addHandler(collector) }
            }
            .connect(host: "127.0.0.1", port: port).get()
        self.collector = collector
        if !text.isEmpty { try await channel.writeAndFlush(ByteBuffer(string: text)).get() }
    }

    var received: [UInt8] { collector.bytes.withLock { $0 } }
    var isClosed: Bool { collector.closed.withLock { $0 } }

    func close() async { try? await channel.close() }
}

/// The statistics endpoint of a real ``BrokerServer`` over real loopback HTTP: the numbers it
/// shows match the traffic, every page and refusal, and slow HTTP clients leave STOMP alone.
@Suite("Broker statistics endpoint over loopback HTTP")
struct BrokerStatsEndpointTests {
    /// A broker with its statistics endpoint on an ephemeral loopback port.
    func withStatsBroker<T>(_ body: (BrokerServer, SocketAddress, _ statsPort: Int) async throws -> T) async throws -> T {
        try await withBroker({ $0.statsListen = ListenAddress(host: "127.0.0.1", port: 0) }) { broker, address in
            let port = try #require(broker.statsAddress?.port)
            return try await body(broker, address, port)
        }
    }

    @Test("stats.listen: HOST:PORT, [v6]:PORT, http://, or a port alone on 127.0.0.1; other schemes and garbage refused")
    func listenSetting() throws {
        #expect(try BrokerConfiguration(parsing: "").statsListen == nil)
        #expect(
            try BrokerConfiguration(parsing: "stats.listen = 0.0.0.0:61680").statsListen
                == ListenAddress(host: "0.0.0.0", port: 61680))
        #expect(
            try BrokerConfiguration(parsing: "stats.listen = 61680").statsListen
                == ListenAddress(host: "127.0.0.1", port: 61680))
        #expect(ListenAddress(parsingStatsListen: "http://[::1]:9000/") == ListenAddress(host: "::1", port: 9000))
        for bad in ["tls://127.0.0.1:61680", "localhost", "127.0.0.1:99999", "https://127.0.0.1:1", ""] {
            #expect(ListenAddress(parsingStatsListen: bad) == nil, "\(bad)")
        }
        #expect(throws: BrokerConfigurationError.self) { try BrokerConfiguration(parsing: "stats.listen = nowhere") }
        #expect(try StatsClient.Target(url: "http://127.0.0.1:61680") == StatsClient.Target(host: "127.0.0.1", port: 61680))
        #expect(
            try StatsClient.Target(url: "http://[::1]:9/metrics") == StatsClient.Target(host: "::1", port: 9, path: "/metrics"))
        #expect(StatsClient.Target(listen: ListenAddress(host: "0.0.0.0", port: 5)).host == "127.0.0.1")
        #expect(throws: StatsClientError.self) { try StatsClient.Target(url: "https://127.0.0.1:61680") }
    }

    @Test("after SUBSCRIBEs and SENDs, /stats and /metrics show the same numbers as the broker's counters")
    func numbersMatch() async throws {
        try await withStatsBroker { broker, address, port in
            let (subscriber, _) = try await TestClient.connected(to: address)
            try await subscriber.subscribe("/topic/news", id: "t")
            try await subscriber.subscribe("/queue/work", id: "q")
            try await subscriber.subscribe("/exchange/mcollective_broadcast/#", id: "x")
            let (sender, _) = try await TestClient.connected(to: address)
            for index in 0..<3 { try await sender.send("/topic/news", body: "n\(index)") }
            for index in 0..<2 { try await sender.send("/queue/work", body: "w\(index)") }
            try await sender.send("/exchange/mcollective_broadcast/rpcutil", body: "x")
            try await sender.send("/topic/nobody", body: "lost")
            for _ in 0..<6 { _ = try await subscriber.nextFrame() }
            #expect(
                try await eventually {
                    let stats = broker.stats
                    return stats.topicMessagesIn == 4 && stats.topicMessagesOut == 3 && stats.unrouted == 1
                        && stats.queueMessagesOut == 2 && stats.exchangeMessagesOut == 1
                })

            let page = try HTTPAnswer.get("/stats", port: port)
            #expect(page.status == 200)
            #expect(page.headers["content-type"] == "application/json; charset=utf-8")
            #expect(page.headers["connection"] == "close")
            let document = try StatsDocument(json: Data(page.body.utf8))
            let snapshot = broker.stats
            // Every stored field of the snapshot, with the broker's value.
            let names = Mirror(reflecting: snapshot).children.compactMap(\.label)
            #expect(document.fields.map(\.name) == names)
            for (field, value) in snapshot.fields {
                #expect(document.stats[field.name] == value, "\(field.name)")
            }
            #expect(document.stats["connectionsCurrent"] == 2)
            #expect(document.stats["subscriptions"] == 3)
            #expect(document.messages["topic"] == StatsDocument.Flow(in: 4, out: 3))
            #expect(document.messages["queue"] == StatsDocument.Flow(in: 2, out: 2))
            #expect(document.messages["exchange"] == StatsDocument.Flow(in: 1, out: 1))
            #expect(document.version == BrokerServer.version)
            #expect(document.pid == Int(getpid()))
            #expect(document.uptimeSeconds > 0)
            #expect(document.listeners == [
                StatsDocument.Listener(address: BrokerServer.describe(address), configured: "127.0.0.1:0", tls: false)
            ])
            #expect(document.statsListener == "127.0.0.1:\(port)")
            #expect(document.limits["limits.queue_depth"] == 1000)

            let metrics = try HTTPAnswer.get("/metrics", port: port)
            #expect(metrics.status == 200)
            #expect(metrics.headers["content-type"] == "text/plain; version=0.0.4; charset=utf-8")
            let samples = Self.samples(metrics.body)
            #expect(samples["chorus_broker_messages_in_total{kind=\"topic\"}"] == 4)
            #expect(samples["chorus_broker_messages_out_total{kind=\"topic\"}"] == 3)
            #expect(samples["chorus_broker_messages_in_total{kind=\"queue\"}"] == 2)
            #expect(samples["chorus_broker_messages_out_total{kind=\"exchange\"}"] == 1)
            #expect(samples["chorus_broker_unrouted_total"] == 1)
            #expect(samples["chorus_broker_connections_current"] == 2)
            #expect(samples["chorus_broker_subscriptions"] == 3)
            #expect(samples["chorus_broker_info{version=\"\(BrokerServer.version)\"}"] == 1)
            #expect(samples["chorus_broker_listener_info{address=\"\(BrokerServer.describe(address))\",tls=\"false\"}"] == 1)
            for field in document.fields {
                #expect(samples[field.metric].map { Int($0) } == document.stats[field.name], "\(field.metric)")
            }
            // One HELP and one TYPE per family, before its samples; counters end in _total.
            let lines = metrics.body.split(separator: "\n").map(String.init)
            var typed: [String: String] = [:]
            for line in lines where line.hasPrefix("# TYPE ") {
                let parts = line.split(separator: " ")
                #expect(typed[String(parts[2])] == nil, "\(parts[2]) typed twice")
                typed[String(parts[2])] = String(parts[3])
            }
            #expect(Set(lines.filter { $0.hasPrefix("# HELP ") }.map { $0.split(separator: " ")[2] }).count == typed.count)
            #expect(typed["chorus_broker_messages_in_total"] == "counter")
            #expect(typed["chorus_broker_connections_current"] == "gauge")
            for (name, type) in typed where type == "counter" { #expect(name.hasSuffix("_total"), "\(name)") }
            for line in lines where !line.hasPrefix("#") {
                let name = String(line.prefix { $0 != "{" && $0 != " " })
                #expect(typed[name] != nil, "\(line) has no TYPE")
            }
            for peer in [subscriber, sender] { await peer.close() }
        }
    }

    @Test("/healthz answers ok; other paths 404; other methods 405 with Allow: GET; unparseable requests 400; all counted")
    func pagesAndRefusals() async throws {
        try await withStatsBroker { _, _, port in
            let health = try HTTPAnswer.get("/healthz", port: port)
            #expect(health.status == 200)
            #expect(health.body == "ok\n")
            let missing = try HTTPAnswer.get("/statistics", port: port)
            #expect(missing.status == 404)
            #expect(missing.body.contains("/stats, /metrics and /healthz"))
            #expect(try HTTPAnswer.get("/", port: port).status == 404)
            #expect(try HTTPAnswer.get("/metrics?format=text", port: port).status == 200)
            let post = try HTTPAnswer.exchange(
                "POST /stats HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\n{}", port: port)
            #expect(post.status == 405)
            #expect(post.headers["allow"] == "GET")
            #expect(try HTTPAnswer.exchange("DELETE /healthz HTTP/1.1\r\nHost: x\r\n\r\n", port: port).status == 405)
            #expect(try HTTPAnswer.exchange("\u{1}\u{2}NOT HTTP AT ALL\r\n\r\n", port: port).status == 400)

            let document = try StatsDocument(json: Data(try HTTPAnswer.get("/stats", port: port).body.utf8))
            #expect(document.http == ["200": 2, "404": 2, "405": 2, "400": 1])
        }
    }

    @Test("slow HTTP clients holding every endpoint connection do not stall STOMP; more get 503; the endpoint recovers")
    func slowlorisDoesNotStallSTOMP() async throws {
        try await withStatsBroker { broker, address, port in
            var slow: [HeldConnection] = []
            for _ in 0..<StatsEndpoint.maxConnections {
                slow.append(try await HeldConnection(port: port, sending: "GET /sta"))
            }
            // Refused at once, before it sends anything.
            let refused = try await HeldConnection(port: port, sending: "")
            #expect(try await eventually { refused.isClosed })
            #expect(try HTTPAnswer(raw: refused.received).status == 503)

            // STOMP traffic goes on meanwhile.
            let (subscriber, _) = try await TestClient.connected(to: address)
            try await subscriber.subscribe("/queue/during", id: "d")
            let (sender, _) = try await TestClient.connected(to: address)
            for index in 0..<20 { try await sender.send("/queue/during", body: "m\(index)") }
            for index in 0..<20 { #expect(String(buffer: try await subscriber.nextFrame().body) == "m\(index)") }
            #expect(try await eventually { broker.stats.queueMessagesOut == 20 })

            for connection in slow { await connection.close() }
            await refused.close()
            #expect(try await eventually { (try? HTTPAnswer.get("/healthz", port: port).status) == 200 })
            for peer in [subscriber, sender] { await peer.close() }
        }
    }

    @Test("a client that does not finish its request in time gets 408 and is disconnected")
    func requestTimeout() async throws {
        let statistics = BrokerStats()
        let loop = MultiThreadedEventLoopGroup.singleton.next()
        var logger = Logger(label: "stats-test")
        logger.logLevel = .critical
        let endpoint = try await StatsEndpoint.start(
            listen: ListenAddress(host: "127.0.0.1", port: 0), group: MultiThreadedEventLoopGroup.singleton,
            brokerLoop: loop, statistics: statistics, context: StatsDocument.Context(), logger: logger,
            requestTimeout: .milliseconds(200))
        let port = try #require(endpoint.address?.port)
        let slow = try await HeldConnection(port: port, sending: "GET /stats HTTP/1.1\r\nHost: x\r\n")
        #expect(try await eventually { slow.isClosed })
        #expect(try HTTPAnswer(raw: slow.received).status == 408)
        await slow.close()
        // Complete requests are still answered, from the published counters.
        var published = BrokerStats.Snapshot()
        published.connectionsTotal = 7
        statistics.publish(published)
        let document = try StatsDocument(json: Data(try HTTPAnswer.get("/stats", port: port).body.utf8))
        #expect(document.stats["connectionsTotal"] == 7)
        #expect(document.http["408"] == 1)
        await endpoint.close()
    }

    @Test("fields: names, kinds, sections and Prometheus names, also for fields the endpoint has never heard of")
    func fieldDescriptions() {
        let topic = StatsField.describe("topicMessagesIn")
        #expect(topic.metric == "chorus_broker_messages_in_total{kind=\"topic\"}")
        #expect(topic.section == .messages)
        #expect(StatsField.describe("connectionsCurrent").kind == .gauge)
        #expect(StatsField.describe("connectionsTotal").metric == "chorus_broker_connections_total")
        let denials = StatsField.describe("authorizationRenameDenials")
        #expect(denials.kind == .counter)
        #expect(denials.section == .security)
        #expect(denials.help == "Authorization rename denials")
        #expect(denials.metric == "chorus_broker_authorization_rename_denials_total")
        #expect(StatsField.describe("frameLimitExceeded").section == .limits)
        #expect(StatsField.describe("openTransactionsCurrent").kind == .gauge)
        #expect(StatsField.describe("acksReceived").section == .messages)
        #expect(StatsField.describe("mysteryThings").section == .other)
        #expect(PrometheusText.label(["a": "x\"y\\z\nw"]) == "{a=\"x\\\"y\\\\z\\nw\"}")
    }

    /// `name{labels} value` lines of an exposition, by `name{labels}`.
    static func samples(_ text: String) -> [String: Double] {
        var samples: [String: Double] = [:]
        for line in text.split(separator: "\n") where !line.hasPrefix("#") {
            guard let space = line.lastIndex(of: " "), let value = Double(line[line.index(after: space)...]) else { continue }
            samples[String(line[..<space])] = value
        }
        return samples
    }
}
