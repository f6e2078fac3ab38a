import Foundation
import NIOCore
import NIOPosix
import STOMP
import Testing

@testable import ChorusBroker

/// What a test client has received so far, shared between its channel handler and the test.
final class ReceivedStream: @unchecked Sendable {  // all state is guarded by `lock`
    private let lock = NSLock()
    private var frames: [STOMPFrame] = []
    private var heartbeatCount = 0
    private var isClosed = false
    private var parseError: STOMPParseError?

    func append(_ frame: STOMPFrame) { lock.withLock { frames.append(frame) } }
    func heartbeat() { lock.withLock { heartbeatCount += 1 } }
    func close() { lock.withLock { isClosed = true } }
    func fail(_ error: STOMPParseError) { lock.withLock { parseError = error } }

    func popFrame() -> STOMPFrame? {
        lock.withLock { frames.isEmpty ? nil : frames.removeFirst() }
    }
    var heartbeats: Int { lock.withLock { heartbeatCount } }
    var closed: Bool { lock.withLock { isClosed } }
    var pendingFrames: Int { lock.withLock { frames.count } }
    var error: STOMPParseError? { lock.withLock { parseError } }
}

/// Decodes what the broker writes into `ReceivedStream`.
final class CollectingHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    private let stream: ReceivedStream
    private var decoder = STOMPFrameDecoder()
    private var buffer = ByteBuffer()

    init(stream: ReceivedStream) { self.stream = stream }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var incoming = unwrapInboundIn(data)
        buffer.writeBuffer(&incoming)
        do {
            while let event = try decoder.next(&buffer) {
                switch event {
                case .heartbeat: stream.heartbeat()
                case .frame(let frame):
                    if frame.command == .connected { decoder.unescapesHeaders = STOMPVersion.usesEscapes(frame.headers["version"]) }
                    stream.append(frame)
                }
            }
        } catch {
            stream.fail(error)
            context.close(promise: nil)
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        stream.close()
        context.fireChannelInactive()
    }
}

struct TestTimeout: Error, CustomStringConvertible {
    let what: String
    var description: String { "timed out waiting for \(what)" }
}

/// A raw STOMP client over real loopback TCP.
struct TestClient: Sendable {
    let channel: any Channel
    let received: ReceivedStream

    static func connect(to address: SocketAddress) async throws -> TestClient {
        let stream = ReceivedStream()
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(CollectingHandler(stream: stream))
                }
            }
            .connect(to: address).get()
        return TestClient(channel: channel, received: stream)
    }

    /// Connects and completes a CONNECT exchange; returns the client and the CONNECTED frame.
    static func connected(
        to address: SocketAddress, headers: [(String, String)] = [("accept-version", "1.0")]
    ) async throws -> (TestClient, STOMPFrame) {
        let client = try await connect(to: address)
        try await client.write(STOMPFrame(command: .connect, headers: headers))
        let reply = try await client.nextFrame()
        return (client, reply)
    }

    func write(_ bytes: [UInt8]) async throws {
        try await channel.writeAndFlush(ByteBuffer(bytes: bytes)).get()
    }

    func write(_ frame: STOMPFrame, escape: Bool = false) async throws {
        var buffer = ByteBuffer()
        STOMPFrameEncoder.encode(frame, into: &buffer, escapeHeaders: escape)
        try await channel.writeAndFlush(buffer).get()
    }

    /// SUBSCRIBE with a receipt, waiting for the RECEIPT so later SENDs are ordered after it.
    func subscribe(_ destination: String, id: String? = nil, selector: String? = nil) async throws {
        var headers: [(String, String)] = [("destination", destination)]
        if let id { headers.append(("id", id)) }
        if let selector { headers.append(("selector", selector)) }
        let receipt = "sub-\(destination)-\(id ?? "")"
        headers.append(("receipt", receipt))
        try await write(STOMPFrame(command: .subscribe, headers: headers))
        let reply = try await nextFrame()
        guard reply.command == .receipt, reply.headers["receipt-id"] == receipt else {
            throw TestTimeout(what: "RECEIPT \(receipt), got \(reply.command) \(reply.headers["message"] ?? "")")
        }
    }

    func send(_ destination: String, body: String, headers extra: [(String, String)] = []) async throws {
        try await write(STOMPFrame(command: .send, headers: [("destination", destination)] + extra, body: Array(body.utf8)))
    }

    func nextFrame(timeout: Duration = .seconds(5)) async throws -> STOMPFrame {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if let frame = received.popFrame() { return frame }
            try await Task.sleep(for: .milliseconds(2))
        }
        throw TestTimeout(what: "a frame")
    }

    /// Waits `duration` and returns every frame that arrived.
    func framesArriving(within duration: Duration) async throws -> [STOMPFrame] {
        try await Task.sleep(for: duration)
        var frames: [STOMPFrame] = []
        while let frame = received.popFrame() { frames.append(frame) }
        return frames
    }

    func waitUntilClosed(timeout: Duration = .seconds(5)) async throws {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if received.closed { return }
            try await Task.sleep(for: .milliseconds(2))
        }
        throw TestTimeout(what: "the broker to close the connection")
    }

    func close() async {
        try? await channel.close()
    }
}

/// Runs `body` against a broker on an ephemeral loopback port, then shuts it down.
func withBroker<T>(
    _ configure: (inout BrokerConfiguration) -> Void = { _ in },
    _ body: (BrokerServer, SocketAddress) async throws -> T
) async throws -> T {
    var configuration = BrokerConfiguration()
    configuration.listen = [ListenAddress(host: "127.0.0.1", port: 0)]
    configure(&configuration)
    configuration.logLevel = "critical"
    let broker = try await BrokerServer.start(configuration: configuration, group: MultiThreadedEventLoopGroup.singleton)
    let address = try #require(broker.boundAddresses.first)
    do {
        let result = try await body(broker, address)
        try await broker.shutdown()
        return result
    } catch {
        try? await broker.shutdown()
        throw error
    }
}

/// Polls `condition` until it holds or `timeout` passes.
func eventually(timeout: Duration = .seconds(5), _ condition: () -> Bool) async throws -> Bool {
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline {
        if condition() { return true }
        try await Task.sleep(for: .milliseconds(2))
    }
    return condition()
}
