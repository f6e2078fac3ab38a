import NIOCore
import Synchronization

/// The inbound half of one `STOMPClient` connection, run on the channel's event loop.
///
/// It decodes the bytes as they arrive (``STOMPFrameDecoder``), waits for the broker's
/// CONNECTED, and from then on hands every MESSAGE, ERROR and RECEIPT frame straight to the
/// client's `frames` stream: a frame costs no task hop and no copy of its body between the
/// socket and the consumer. What the client actor needs to know about the connection it
/// learns from ``STOMPSessionSignals``.
final class STOMPSessionHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer

    private let signals: STOMPSessionSignals
    private let frames: AsyncStream<STOMPFrame>.Continuation
    private let endpoint: STOMPEndpoint
    private var decoder: STOMPFrameDecoder
    private var pending = ByteBuffer()
    private var connected = false
    private var failure: (any Error)?

    init(endpoint: STOMPEndpoint, limits: STOMPLimits, frames: AsyncStream<STOMPFrame>.Continuation, signals: STOMPSessionSignals) {
        self.endpoint = endpoint
        self.decoder = STOMPFrameDecoder(limits: limits)
        self.frames = frames
        self.signals = signals
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var chunk = unwrapInboundIn(data)
        signals.noteRead()
        if pending.readableBytes == 0 {
            pending = chunk
        } else {
            pending.writeBuffer(&chunk)
        }
        do {
            while let event = try decoder.next(&pending) {
                guard case .frame(let frame) = event else { continue }
                if connected {
                    frames.yield(frame)
                } else {
                    try handshake(frame)
                }
            }
            pending.discardReadBytes()
        } catch let error as STOMPParseError {
            fail(context: context, STOMPClientError.protocolError(error.description))
        } catch {
            fail(context: context, error)
        }
    }

    /// The first frame must be CONNECTED; its `version` decides header unescaping for every
    /// frame after it (even one in the same read).
    private func handshake(_ frame: STOMPFrame) throws {
        switch frame.command {
        case .connected:
            connected = true
            decoder.unescapesHeaders = (frame.headers["version"] ?? "1.0") != "1.0"
            signals.handshake.succeed(frame)
        case .error:
            throw STOMPClientError.rejected(endpoint: endpoint, message: STOMPClient.errorText(frame))
        default:
            throw STOMPClientError.protocolError("expected CONNECTED, got \(frame.command.rawValue)")
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        fail(context: context, error)
    }

    func channelInactive(context: ChannelHandlerContext) {
        signals.finish(failure)
        context.fireChannelInactive()
    }

    /// A channel that never became active (its connect failed) is torn down without
    /// `channelInactive`.
    func handlerRemoved(context: ChannelHandlerContext) {
        signals.finish(failure)
    }

    /// Keeps the first error (it is what the connection ended with) and closes.
    private func fail(context: ChannelHandlerContext, _ error: any Error) {
        if failure == nil { failure = error }
        context.close(promise: nil)
    }
}

/// What the event loop tells the `STOMPClient` actor about one connection.
final class STOMPSessionSignals: Sendable {
    /// The connection closed before CONNECTED arrived, without an error of its own.
    struct ClosedBeforeConnected: Error {}

    /// Succeeds with the CONNECTED frame; fails with the broker's refusal, a protocol error, the
    /// channel's error, or ``ClosedBeforeConnected``.
    let handshake: EventLoopPromise<STOMPFrame>
    /// Completes when the connection has closed: with the first error seen, if there was one.
    let ended: EventLoopPromise<Void>
    /// When bytes last arrived, in `NIODeadline` uptime nanoseconds (for heart-beat checks).
    private let lastRead: Atomic<UInt64>

    init(eventLoop: any EventLoop) {
        handshake = eventLoop.makePromise()
        ended = eventLoop.makePromise()
        lastRead = Atomic(NIODeadline.now().uptimeNanoseconds)
    }

    /// Completes both promises for a connection that is gone (completing one twice is a no-op).
    func finish(_ failure: (any Error)?) {
        handshake.fail(failure ?? ClosedBeforeConnected())
        if let failure {
            ended.fail(failure)
        } else {
            ended.succeed()
        }
    }

    func noteRead() {
        lastRead.store(NIODeadline.now().uptimeNanoseconds, ordering: .relaxed)
    }

    var lastReadTime: NIODeadline {
        .uptimeNanoseconds(lastRead.load(ordering: .relaxed))
    }
}
