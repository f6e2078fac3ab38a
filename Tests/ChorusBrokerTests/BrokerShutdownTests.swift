import Logging
import NIOCore
import NIOPosix
import STOMP
import Testing

@testable import ChorusBroker

@Suite("Broker graceful shutdown")
struct BrokerShutdownTests {
    /// 64 messages of 256 KiB: far more than loopback socket buffers hold, so most of it waits
    /// in the broker when its consumer does not read.
    private static let count = 64
    private static let body = String(repeating: "x", count: 256 * 1024)

    private func start(grace: Int) async throws -> (BrokerServer, SocketAddress) {
        var configuration = BrokerConfiguration()
        configuration.listen = [ListenAddress(host: "127.0.0.1", port: 0)]
        configuration.shutdownGraceMilliseconds = grace
        configuration.logLevel = "critical"
        let broker = try await BrokerServer.start(configuration: configuration, group: MultiThreadedEventLoopGroup.singleton)
        return (broker, try #require(broker.boundAddresses.first))
    }

    /// A consumer of `/queue/bulk` that has stopped reading, with `count` large messages queued for it.
    private func stalledConsumer(at address: SocketAddress) async throws -> TestClient {
        let consumer = try await TestClient.connected(to: address, version: "1.0")
        #expect(try await consumer.request(.subscribe, [("destination", "/queue/bulk")]).answer.command == .receipt)
        try await consumer.channel.setOption(ChannelOptions.autoRead, value: false).get()
        let producer = try await TestClient.connected(to: address, version: "1.0")
        for index in 0..<Self.count {
            try await producer.send("/queue/bulk", body: Self.body, headers: [("n", "\(index)")])
        }
        // 16 MiB pass through the broker first: generous on a loaded machine.
        #expect(try await producer.request(.send, [("destination", "/topic/none")], timeout: .seconds(30)).answer.command == .receipt)
        await producer.close()
        return consumer
    }

    /// Waits until the broker no longer accepts connections: its shutdown has begun.
    private func waitUntilRefusing(_ address: SocketAddress) async throws {
        for _ in 0..<1000 {
            guard let probe = try? await TestClient.connect(to: address) else { return }
            await probe.close()
            try await Task.sleep(for: .milliseconds(5))
        }
        throw TestTimeout(what: "the listener to close")
    }

    @Test("MESSAGE frames queued for a consumer when shutdown begins are all written before the close", .timeLimit(.minutes(1)))
    func flushesQueuedMessages() async throws {
        let (broker, address) = try await start(grace: 20_000)
        let consumer = try await stalledConsumer(at: address)
        let shutdown = Task { try await broker.shutdown() }
        try await waitUntilRefusing(address)
        try await consumer.channel.setOption(ChannelOptions.autoRead, value: true).get()
        consumer.channel.read()
        try await consumer.waitUntilClosed(timeout: .seconds(30))
        try await shutdown.value
        var received: [String] = []
        while let frame = consumer.received.popFrame() {
            if frame.command == .message, frame.body.readableBytes == Self.body.utf8.count { received.append(frame.headers["n"] ?? "") }
        }
        #expect(received == (0..<Self.count).map(String.init))
        #expect(broker.stats.dropped == 0)
    }

    /// Without the bound the shutdown would wait for this consumer for ever (and hit the time limit).
    @Test("a consumer that never reads is closed once shutdown.grace_ms has passed", .timeLimit(.minutes(1)))
    func boundedGrace() async throws {
        let (broker, address) = try await start(grace: 200)
        let consumer = try await stalledConsumer(at: address)
        try await broker.shutdown()
        try await consumer.channel.setOption(ChannelOptions.autoRead, value: true).get()
        consumer.channel.read()
        try await consumer.waitUntilClosed(timeout: .seconds(30))
    }
}
