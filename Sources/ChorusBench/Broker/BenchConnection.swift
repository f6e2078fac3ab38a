import NIOCore
import NIOPosix
import STOMP

/// Why a benchmark connection failed.
public struct BenchConnectionError: Error, Sendable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// One STOMP connection of the load generator: a bare NIO channel whose one handler runs the
/// project's codec (``STOMPFrameDecoder``, ``STOMPFrameEncoder``) itself, with no actor, no
/// stream and no codec handlers in between, so the generator spends its CPU on frames and
/// stays lighter than the broker it measures. Publishers write pre-encoded SEND frames
/// (``SendFrameTemplate``).
///
/// CONNECT offers STOMP 1.0–1.2 with `heart-beat:0,0` (no heart-beats); SUBSCRIBE asks for a
/// RECEIPT, so a scenario starts publishing only once every subscription is in place.
public struct BenchConnection: Sendable {
    public let channel: any Channel
    private let handler: NIOLoopBound<BenchConnectionHandler>

    /// Connects, sends CONNECT and waits for CONNECTED (or an ERROR, or `timeout`).
    /// - Parameter source: a local address to connect from (e.g. 127.0.0.2), or nil.
    public static func open(
        to target: BrokerTarget, group: any EventLoopGroup, source: String? = nil, timeout: TimeAmount = .seconds(30)
    ) async throws -> BenchConnection {
        var bootstrap = ClientBootstrap(group: group)
            .connectTimeout(timeout)
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(BenchConnectionHandler())
                }
            }
        if let source {
            bootstrap = bootstrap.bind(to: try SocketAddress(ipAddress: source, port: 0))
        }
        let channel: any Channel
        do {
            channel = try await bootstrap.connect(host: target.host, port: target.port).get()
        } catch {
            throw BenchConnectionError("cannot connect to \(target.host):\(target.port): \(error)")
        }
        let connection = try await channel.eventLoop.submit {
            let handler = try channel.pipeline.syncOperations.handler(type: BenchConnectionHandler.self)
            return BenchConnection(channel: channel, handler: NIOLoopBound(handler, eventLoop: channel.eventLoop))
        }.get()
        let connected = channel.eventLoop.makePromise(of: Void.self)
        let frame = BenchFrames.connect(target)
        channel.eventLoop.execute {
            connection.handler.value.connected = connected
            channel.writeAndFlush(BenchFrames.encoded(frame), promise: nil)
        }
        let deadline = channel.eventLoop.scheduleTask(in: timeout) {
            connected.fail(BenchConnectionError("no CONNECTED from \(target.host):\(target.port) within \(timeout.nanoseconds / 1_000_000_000) s"))
        }
        do {
            try await connected.futureResult.get()
            deadline.cancel()
        } catch {
            deadline.cancel()
            channel.close(promise: nil)
            throw error
        }
        return connection
    }

    /// Subscribes to `destination` and waits for the broker's RECEIPT. With a `receiver`,
    /// its MESSAGE frames are counted and timed by a ``DeliveryReceiver`` built on the loop.
    public func subscribe(
        destination: String, id: String, receiver: ReceiverPlan? = nil, timeout: TimeAmount = .seconds(30)
    ) async throws {
        let receipt = channel.eventLoop.makePromise(of: Void.self)
        let frame = BenchFrames.subscribe(destination: destination, id: id, receipt: "sub-\(id)")
        let handler = self.handler
        let channel = self.channel
        channel.eventLoop.execute {
            if let receiver {
                handler.value.receiver = DeliveryReceiver(
                    run: receiver.run, credits: receiver.credits, expectedMessages: receiver.expectedMessages)
            }
            handler.value.receipts["sub-\(id)", default: []].append(receipt)
            channel.writeAndFlush(BenchFrames.encoded(frame), promise: nil)
        }
        let deadline = channel.eventLoop.scheduleTask(in: timeout) {
            receipt.fail(BenchConnectionError("no RECEIPT for SUBSCRIBE \(destination) within \(timeout.nanoseconds / 1_000_000_000) s"))
        }
        defer { deadline.cancel() }
        try await receipt.futureResult.get()
    }

    /// What this connection's receiver saw (an empty tally without one).
    public func tally() async throws -> ReceiverTally {
        let handler = self.handler
        return try await channel.eventLoop.submit { handler.value.receiver?.tally ?? ReceiverTally() }.get()
    }

    /// The ERROR the broker sent, or why the connection closed, if it did.
    public func failure() async -> String? {
        let handler = self.handler
        return try? await channel.eventLoop.submit { handler.value.failure }.get()
    }

    /// Sends DISCONNECT and closes (without waiting for the broker).
    public func close() async {
        let channel = self.channel
        channel.eventLoop.execute {
            channel.writeAndFlush(BenchFrames.encoded(STOMPFrame(command: .disconnect)), promise: nil)
            channel.close(promise: nil)
        }
        try? await channel.closeFuture.get()
    }
}

/// How a subscription's MESSAGE frames are counted (see ``DeliveryReceiver``).
public struct ReceiverPlan: Sendable {
    public var run: UInt32
    /// Every publisher's flow control, indexed by publisher number.
    public var credits: [DeliveryCredit]
    /// To pre-size the latency array.
    public var expectedMessages: Int

    public init(run: UInt32, credits: [DeliveryCredit], expectedMessages: Int) {
        self.run = run
        self.credits = credits
        self.expectedMessages = expectedMessages
    }
}

/// The control frames the load generator writes, encoded with ``STOMPFrameEncoder``.
enum BenchFrames {
    static func encoded(_ frame: STOMPFrame) -> ByteBuffer {
        var buffer = ByteBuffer()
        STOMPFrameEncoder.encode(frame, into: &buffer, escapeHeaders: false)
        return buffer
    }

    static func connect(_ target: BrokerTarget) -> STOMPFrame {
        var headers: [(String, String)] = [
            ("accept-version", "1.0,1.1,1.2"), ("host", target.virtualHost), ("heart-beat", "0,0"),
        ]
        if let login = target.login { headers.append(("login", login)) }
        if let passcode = target.passcode { headers.append(("passcode", passcode)) }
        return STOMPFrame(command: .connect, headers: headers)
    }

    static func subscribe(destination: String, id: String, receipt: String) -> STOMPFrame {
        STOMPFrame(command: .subscribe, headers: [("destination", destination), ("id", id), ("ack", "auto"), ("receipt", receipt)])
    }
}

/// The one handler of a benchmark connection: decodes the byte stream with
/// ``STOMPFrameDecoder`` (switching to STOMP 1.1+ unescaping on CONNECTED, as
/// ``STOMPByteToMessageDecoder`` does), completes CONNECTED and RECEIPT promises, hands
/// MESSAGE frames to the ``DeliveryReceiver``, records an ERROR. Writes pass through as bytes.
final class BenchConnectionHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    var connected: EventLoopPromise<Void>?
    var receipts: [String: [EventLoopPromise<Void>]] = [:]
    var receiver: DeliveryReceiver?
    private(set) var failure: String?
    private var decoder = STOMPFrameDecoder()
    private var pending = ByteBuffer()

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let chunk = unwrapInboundIn(data)
        if pending.readableBytes == 0 {
            pending = chunk
        } else {
            var chunk = chunk
            pending.writeBuffer(&chunk)
        }
        do {
            while let event = try decoder.next(&pending) {
                if case .frame(let frame) = event { handle(frame, context: context) }
            }
        } catch {
            fail("unreadable STOMP from the broker: \(error)")
            context.close(promise: nil)
            return
        }
        if pending.readableBytes == 0 {
            pending = ByteBuffer()
        } else if pending.readerIndex > 65536 {
            pending.discardReadBytes()
        }
    }

    private func handle(_ frame: STOMPFrame, context: ChannelHandlerContext) {
        switch frame.command {
        case .message:
            receiver?.receive(frame)
        case .connected:
            decoder.unescapesHeaders = STOMPVersion.usesEscapes(frame.headers["version"])
            connected?.succeed()
            connected = nil
        case .receipt:
            if let id = frame.headers["receipt-id"], let waiting = receipts.removeValue(forKey: id) {
                for promise in waiting { promise.succeed() }
            }
        case .error:
            let message = frame.headers["message"] ?? "ERROR"
            // The first line only: ActiveMQ puts a whole Java stack trace in the body.
            let body = String(String(buffer: frame.body).trimmingWhitespace().prefix { $0 != "\n" }.prefix(200))
            fail(body.isEmpty ? "the broker sent ERROR: \(message)" : "the broker sent ERROR: \(message): \(body)")
            context.close(promise: nil)
        default:
            break
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        fail("the broker closed the connection")
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        fail("connection error: \(error)")
        context.close(promise: nil)
    }

    private func fail(_ message: String) {
        if failure == nil { failure = message }
        let error = BenchConnectionError(failure ?? message)
        connected?.fail(error)
        connected = nil
        let waiting = receipts
        receipts.removeAll()
        for promise in waiting.values.joined() { promise.fail(error) }
    }
}

extension String {
    fileprivate func trimmingWhitespace() -> String {
        String(drop(while: \.isWhitespace).reversed().drop(while: \.isWhitespace).reversed())
    }
}
