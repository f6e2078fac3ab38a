import Logging
import NIOCore
import STOMP

/// One client connection: feeds bytes to the ``STOMPFrameDecoder``, carries out CONNECT
/// negotiation, hands SEND/SUBSCRIBE/UNSUBSCRIBE to the ``BrokerRouter``, writes MESSAGE,
/// RECEIPT and ERROR frames, and keeps heart-beats.
///
/// Every frame the broker writes is followed by `\n`, as ActiveMQ and RabbitMQ do.
///
/// Backpressure policy: deliveries are written to the channel without waiting. Once more than
/// ``outboundHighWaterMark`` bytes (4 MiB) wait to be sent the channel is not writable; from then
/// on at most `maxPendingMessagesPerConsumer` further MESSAGE frames are queued and later ones are
/// dropped and counted in ``BrokerStats/Snapshot/dropped``, until the backlog falls below
/// ``outboundLowWaterMark`` (1 MiB) again. A slow consumer thus loses messages instead of growing
/// the broker's memory without bound, while short bursts to healthy consumers are absorbed.
///
/// Protocol errors (unparseable bytes, a frame before CONNECT, a bad destination or selector,
/// refused login) get an ERROR frame with a `message` header and an explanatory body, after
/// which the connection is closed. Errors RabbitMQ reports as AMQP channel errors use its words:
/// an undeclared exchange is `message:not_found` with the body
/// `NOT_FOUND - no exchange 'NAME' in vhost 'VHOST'` (VHOST = the CONNECT's `host`, default `/`).
///
/// RabbitMQ's temp queues: a SEND whose `reply-to` is `/temp-queue/NAME` gets (once per
/// connection and NAME) a private reply queue subscribed for this connection, and the forwarded
/// `reply-to` becomes `/reply-queue/<generated name>`.
///
/// ACK and NACK are in `BrokerConnectionHandler+Acknowledgement.swift`, BEGIN, COMMIT and ABORT
/// in `+Transactions.swift`, the graceful close at shutdown in `+Shutdown.swift`.
final class BrokerConnectionHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    enum Phase {
        case awaitingConnect
        case connected
        case closing
    }

    /// Outbound backlog (bytes) above which a connection counts as a slow consumer.
    static let outboundHighWaterMark = 4 * 1024 * 1024
    /// Outbound backlog (bytes) below which it is healthy again.
    static let outboundLowWaterMark = 1024 * 1024
    /// How long a client may take to send CONNECT.
    static let connectTimeout = TimeAmount.seconds(30)
    private static let frameTrailer = ByteBuffer(bytes: [0, UInt8(ascii: "\n")])
    private static let heartbeat = ByteBuffer(bytes: [UInt8(ascii: "\n")])

    let router: BrokerRouter
    private(set) var logger: Logger
    private(set) var id = ConnectionID(0)
    private var isRegistered = false
    private(set) var context: ChannelHandlerContext?
    var phase = Phase.awaitingConnect
    /// The STOMP version agreed at CONNECT.
    private(set) var version = STOMPVersion.v1_0
    /// Whether CONNECT succeeded (its session was logged at info level, and so is its end).
    private var loggedIn = false
    /// This connection's open transactions and the frames they hold.
    var transactions: TransactionState
    /// Whether this connection was one too many (`limits.max_connections`): its first frame is
    /// answered with an ERROR.
    private var isOverConnectionLimit = false
    private var decoder: STOMPFrameDecoder
    private var inbound = ByteBuffer()
    private var escapesHeaders = false
    /// The CONNECT's `host` header (RabbitMQ's virtual host), for error texts.
    private var virtualHost = "/"
    /// `reply-to:/temp-queue/NAME` value → the `/reply-queue/…` it is rewritten to. Private reply
    /// queues live as long as the connection, so repeated requests reuse the string.
    private var replyQueuePaths: [String: String] = [:]
    /// What this connection's login may do (`acl.` lines), set at CONNECT.
    private var access = ConnectionAccess.unrestricted
    var hasUnflushedWrites = false
    private var wroteSinceHeartbeat = false
    private var lastRead = NIODeadline.now()
    private var pendingWhileUnwritable = 0
    private var timers: [RepeatedTask] = []
    private var connectTimer: Scheduled<Void>?

    init(router: BrokerRouter) {
        self.router = router
        self.logger = router.logger
        self.decoder = STOMPFrameDecoder(limits: router.configuration.limits)
        self.transactions = TransactionState(
            maxTransactions: router.configuration.maxTransactionsPerConnection,
            maxFramesPerTransaction: router.configuration.maxFramesPerTransaction)
    }

    // MARK: Channel events

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        if context.channel.isActive { activate(context) }
    }

    func channelActive(context: ChannelHandlerContext) {
        activate(context)
        context.fireChannelActive()
    }

    private func activate(_ context: ChannelHandlerContext) {
        guard id.rawValue == 0 else { return }
        id = router.register(self)
        isRegistered = true
        logger[metadataKey: "connection"] = "\(id)"
        logger.debug("client \(id) connected from \(BrokerServer.describe(context.remoteAddress))")
        if router.isOverConnectionLimit {
            isOverConnectionLimit = true
            router.connectionCounters.connectionLimitExceeded += 1
            logger.warning(
                "refusing client \(id) from \(BrokerServer.describe(context.remoteAddress)): limits.max_connections (\(router.configuration.maxConnections)) connections are open")
        }
        let bound = NIOLoopBound(self, eventLoop: context.eventLoop)
        connectTimer = context.eventLoop.scheduleTask(in: Self.connectTimeout) {
            let handler = bound.value
            if handler.phase == .awaitingConnect {
                handler.logger.info("client \(handler.id) sent no CONNECT in time; closing")
                handler.context?.close(promise: nil)
            }
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        tearDown()
        context.fireChannelInactive()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        tearDown()
        self.context = nil
    }

    private func tearDown() {
        if phase != .closing { phase = .closing }
        connectTimer?.cancel()
        connectTimer = nil
        for timer in timers { timer.cancel() }
        timers.removeAll()
        if isRegistered {
            isRegistered = false
            router.unregister(id)
            logger.log(level: loggedIn ? .info : .debug, "client \(id) disconnected")
        }
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var incoming = unwrapInboundIn(data)
        guard phase != .closing else { return }
        lastRead = .now()
        if inbound.readableBytes == 0 {
            inbound = incoming
        } else {
            inbound.writeBuffer(&incoming)
        }
        do {
            while phase != .closing, let event = try decoder.next(&inbound) {
                if case .frame(let frame) = event { handle(frame) }
            }
        } catch {
            protocolError(error.message, detail: "The broker could not parse the bytes it received: \(error.message).")
        }
        if inbound.readableBytes == 0 {
            inbound = ByteBuffer()
        } else if inbound.readerIndex > 65536, inbound.readerIndex > inbound.capacity / 2 {
            inbound.discardReadBytes()
        }
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        // Statistics first: a client that sees what this batch wrote sees it counted too.
        router.publishStats()
        router.flushPending()
        context.fireChannelReadComplete()
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        if context.channel.isWritable { pendingWhileUnwritable = 0 }
        context.fireChannelWritabilityChanged()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        logger.debug("client \(id): connection error \(error)")
        context.close(promise: nil)
    }

    // MARK: Frames

    private func handle(_ frame: STOMPFrame) {
        switch phase {
        case .closing:
            return
        case .awaitingConnect:
            if isOverConnectionLimit {
                let limit = router.configuration.maxConnections
                protocolError(
                    "Too many connections",
                    detail: "The broker already has \(limit) open connections (limits.max_connections = \(limit)); try again later.",
                    frame: frame, countsAsProtocolError: false)
                return
            }
            guard frame.command == .connect || frame.command == .stomp else {
                protocolError(
                    "Expected CONNECT", detail: "The first frame must be CONNECT or STOMP, not \(frame.command.rawValue).")
                return
            }
            connect(frame)
        case .connected:
            switch frame.command {
            case .send: send(frame)
            case .subscribe: subscribe(frame)
            case .unsubscribe: unsubscribe(frame)
            case .ack, .nack: acknowledgement(frame)
            case .disconnect: disconnect(frame)
            case .begin: begin(frame)
            case .commit: commit(frame)
            case .abort: abort(frame)
            case .connect, .stomp:
                protocolError("Already connected", detail: "The client sent \(frame.command.rawValue) twice.", frame: frame)
            case .connected, .message, .receipt, .error:
                protocolError(
                    "Unexpected \(frame.command.rawValue) frame",
                    detail: "\(frame.command.rawValue) is a server frame; clients may not send it.", frame: frame)
            }
        }
    }

    private func connect(_ frame: STOMPFrame) {
        switch ConnectNegotiation.negotiate(frame.headers, configuration: router.configuration) {
        case .failure(let refusal):
            var isAuthFailure = false
            if case .authenticationFailed = refusal {
                isAuthFailure = true
                router.connectionCounters.authFailures += 1
                logger.warning(
                    "client \(id) from \(BrokerServer.describe(context?.remoteAddress)): authentication failed for login '\(frame.headers["login"] ?? "")'")
            }
            protocolError(refusal.message, detail: refusal.detail, frame: frame, countsAsProtocolError: !isAuthFailure)
        case .success(let negotiated):
            connectTimer?.cancel()
            connectTimer = nil
            phase = .connected
            if let host = frame.headers["host"], !host.isEmpty { virtualHost = host }
            access = ConnectionAccess(router.configuration.accessControl.access(forLogin: frame.headers["login"]))
            var headers = STOMPHeaders()
            headers.add("server", "Chorus/\(BrokerServer.version)")
            headers.add("heart-beat", negotiated.heartBeatHeader)
            headers.add("session", "ID:\(router.runID)-\(id.rawValue)")
            headers.add("version", negotiated.version.rawValue)
            writeFrame(STOMPFrame(command: .connected, headers: headers))
            version = negotiated.version
            escapesHeaders = negotiated.version.usesEscapes
            decoder.unescapesHeaders = escapesHeaders
            startHeartbeats(negotiated)
            loggedIn = true
            logger.info(
                "client \(id) from \(BrokerServer.describe(context?.remoteAddress)) logged in as '\(frame.headers["login"] ?? "")' with STOMP \(negotiated.version.rawValue), heart-beat \(negotiated.heartBeatHeader)")
        }
    }

    func send(_ frame: STOMPFrame) {
        guard let destination = destination(of: frame), authorized(.write, destination, frame: frame) else { return }
        if let expiration = frame.headers["expiration"], BrokerMessage.relativeExpiration(expiration) == nil {
            protocolError(
                "precondition_failed",
                detail: "PRECONDITION_FAILED - invalid expiration '\(expiration)': not a non-negative integer",
                frame: frame)
            return
        }
        if let transaction = frame.headers["transaction"] {
            holdSend(frame, to: destination, in: transaction)
            return
        }
        var replyTo: String?
        if let value = frame.headers["reply-to"], value.hasPrefix("/temp-queue/") {
            if let known = replyQueuePaths[value] {
                replyTo = known
            } else {
                guard let temporary = Destination(value), temporary.kind == .temporaryQueue else {
                    protocolError(
                        "Invalid destination", detail: "'\(value)' is not a valid temp-queue destination", frame: frame)
                    return
                }
                guard authorized(.create, temporary, frame: frame) else { return }
                do {
                    let queue = try router.temporaryQueue(temporary.name, for: id, escapesHeaders: escapesHeaders)
                    replyTo = "/reply-queue/" + queue
                    replyQueuePaths[value] = replyTo
                } catch {
                    routingError(error, frame: frame)
                    return
                }
            }
        }
        let now = BrokerRouter.epochMilliseconds()
        let message = BrokerMessage(
            destination: destination, messageID: router.nextMessageID(), headers: frame.headers, body: frame.body,
            receivedAt: now, replyTo: replyTo)
        do {
            try router.publish(message, now: now)
        } catch {
            routingError(error, frame: frame)
            return
        }
        receipt(for: frame)
    }

    private func subscribe(_ frame: STOMPFrame) {
        guard let destination = destination(of: frame), authorized(.read, destination, frame: frame) else { return }
        let subscriptionID = frame.headers["id"]
        if let subscriptionID, subscriptionID.hasPrefix("/temp-queue/") {
            protocolError("Invalid id", detail: "SUBSCRIBE 'id' may not start with /temp-queue/", frame: frame)
            return
        }
        var selector: Selector?
        if let text = frame.headers["selector"] {
            do {
                selector = try Selector(text)
            } catch {
                protocolError("Invalid selector", detail: "The selector '\(text)' is not valid: \(error).", frame: frame)
                return
            }
        }
        guard let ackMode = ackMode(of: frame) else { return }
        let subscription = Subscription(
            connection: id, id: subscriptionID, destination: destination, selector: selector,
            escapesHeaders: escapesHeaders, ackMode: ackMode)
        do {
            try router.subscribe(subscription)
        } catch {
            routingError(error, frame: frame)
            return
        }
        receipt(for: frame)
    }

    /// Whether the login may do `operation` on `destination` (docs/BROKER.md, Access control);
    /// if not, the denial is logged and counted and the client gets ERROR `access_refused`.
    private func authorized(_ operation: AccessOperation, _ destination: Destination, frame: STOMPFrame) -> Bool {
        guard let denial = access.denial(operation, on: destination, exists: { router.core.exists($0) }) else { return true }
        router.connectionCounters.countDenial(of: denial.operation)
        logger.warning("\(denial.logMessage(peer: BrokerServer.describe(context?.remoteAddress)))")
        protocolError("access_refused", detail: denial.refusal, frame: frame, countsAsProtocolError: false)
        return false
    }

    /// Sends the ERROR frame for a refused SEND or SUBSCRIBE, worded as RabbitMQ words it.
    func routingError(_ error: RoutingError, frame: STOMPFrame) {
        switch error {
        case .duplicateSubscription:
            protocolError("Duplicate subscription", detail: "\(error).", frame: frame)
        case .exchangeNotFound(let name):
            protocolError(
                "not_found", detail: "NOT_FOUND - no exchange '\(name)' in vhost '\(virtualHost)'", frame: frame)
        case .queueLocked(let name):
            protocolError(
                "resource_locked",
                detail: "RESOURCE_LOCKED - cannot obtain exclusive access to locked queue '\(name)' in vhost '\(virtualHost)'",
                frame: frame)
        case .invalidDestination(let path):
            protocolError(
                "Invalid destination", detail: "'\(path)' is not a valid destination for '\(frame.command.rawValue)'",
                frame: frame)
        case .subscriptionLimit(let limit):
            protocolError(
                "Too many subscriptions",
                detail: "This connection already holds \(limit) subscriptions (limits.max_subscriptions_per_connection = \(limit)).",
                frame: frame, countsAsProtocolError: false)
        }
    }

    private func unsubscribe(_ frame: STOMPFrame) {
        let subscriptionID = frame.headers["id"]
        let destination = frame.headers["destination"]
        guard subscriptionID != nil || destination != nil else {
            protocolError(
                "Missing id or destination", detail: "UNSUBSCRIBE must name the subscription's id or destination.",
                frame: frame)
            return
        }
        if let subscriptionID, subscriptionID.hasPrefix("/temp-queue/") {
            protocolError("Invalid id", detail: "UNSUBSCRIBE 'id' may not start with /temp-queue/", frame: frame)
            return
        }
        guard router.unsubscribe(connection: id, id: subscriptionID, destination: destination) else {
            // RabbitMQ and ActiveMQ both refuse an UNSUBSCRIBE that names nothing.
            protocolError(
                "No subscription found",
                detail: "UNSUBSCRIBE must refer to an existing subscription of this connection; '\(subscriptionID ?? destination ?? "")' is none.",
                frame: frame)
            return
        }
        receipt(for: frame)
    }

    private func disconnect(_ frame: STOMPFrame) {
        receipt(for: frame)
        phase = .closing
        if isRegistered {
            isRegistered = false
            router.unregister(id)
        }
        closeAfterFlush()
    }

    /// The frame's destination, or nil after sending an ERROR.
    private func destination(of frame: STOMPFrame) -> Destination? {
        guard let path = frame.headers["destination"] else {
            protocolError(
                "Missing destination", detail: "\(frame.command.rawValue) needs a destination header.", frame: frame)
            return nil
        }
        guard let destination = Destination(path) else {
            let prefixes = ["/topic/", "/queue/", "/amq/queue/", "/exchange/", "/temp-queue/", "/reply-queue/"]
            if prefixes.contains(where: { path.hasPrefix($0) }) {
                protocolError("Invalid destination", detail: "'\(path)' is not a valid destination", frame: frame)
            } else {
                protocolError(
                    "Unknown destination",
                    detail: "'\(path)' is not a valid destination.\nValid destination types are: \(Destination.supportedPrefixes).",
                    frame: frame)
            }
            return nil
        }
        return destination
    }

    func receipt(for frame: STOMPFrame) {
        guard let receipt = frame.headers["receipt"] else { return }
        writeFrame(STOMPFrame(command: .receipt, headers: [("receipt-id", receipt)]))
    }

    /// Sends ERROR (message header + body) and closes the connection once it is written.
    func protocolError(
        _ message: String, detail: String, frame: STOMPFrame? = nil, countsAsProtocolError: Bool = true
    ) {
        guard phase != .closing else { return }
        if countsAsProtocolError { router.connectionCounters.protocolErrors += 1 }
        logger.info("client \(id): \(message); sending ERROR and closing")
        var headers = STOMPHeaders()
        headers.add("message", message)
        if let receipt = frame?.headers["receipt"] { headers.add("receipt-id", receipt) }
        headers.add("content-type", "text/plain")
        writeFrame(STOMPFrame(command: .error, headers: headers, body: ByteBuffer(string: detail + "\n")))
        phase = .closing
        if isRegistered {
            isRegistered = false
            router.unregister(id)
        }
        closeAfterFlush()
    }

    private func closeAfterFlush() {
        guard let context else { return }
        hasUnflushedWrites = false
        let bound = NIOLoopBound(context, eventLoop: context.eventLoop)
        context.writeAndFlush(wrapOutboundOut(ByteBuffer())).whenComplete { _ in
            bound.value.close(promise: nil)
        }
    }

    // MARK: Writing

    /// Writes one broker frame (plus the trailing `\n`) and schedules a flush.
    private func writeFrame(_ frame: STOMPFrame) {
        guard let context else { return }
        var buffer = context.channel.allocator.buffer(capacity: STOMPFrameEncoder.estimatedSize(of: frame) + 1)
        STOMPFrameEncoder.encode(frame, into: &buffer, escapeHeaders: escapesHeaders)
        buffer.writeInteger(UInt8(ascii: "\n"))
        context.write(wrapOutboundOut(buffer), promise: nil)
        noteWrite()
    }

    /// Writes one MESSAGE: the subscription's leader, on STOMP 1.2 for a client-acknowledged
    /// delivery `ack:<tag>`, the message's shared header block, the body (the sender's buffer,
    /// not copied) and NUL + `\n`. Returns whether it was written (not dropped for a slow
    /// consumer or because the connection is closing).
    func deliver(_ subscription: Subscription, _ message: BrokerMessage, tag: DeliveryTag) -> Bool {
        guard phase == .connected, let context else { return false }
        if !context.channel.isWritable {
            guard pendingWhileUnwritable < router.configuration.maxPendingMessagesPerConsumer else {
                if pendingWhileUnwritable == router.configuration.maxPendingMessagesPerConsumer {
                    pendingWhileUnwritable += 1  // warn once until it catches up
                    logger.warning(
                        "client \(id) is a slow consumer: over \(Self.outboundHighWaterMark / 1_048_576) MiB and limits.max_pending_messages (\(router.configuration.maxPendingMessagesPerConsumer)) messages wait to be sent; dropping its messages until it catches up")
                }
                router.slowConsumerDrops += 1
                return false
            }
            pendingWhileUnwritable += 1
        }
        context.write(wrapOutboundOut(subscription.frameLeader), promise: nil)
        if tag.awaitsAcknowledgement, version == .v1_2 {
            var ack = context.channel.allocator.buffer(capacity: 26)
            ack.writeStaticString("ack:")
            STOMPFrameEncoder.writeDecimal(Int(clamping: tag.rawValue), into: &ack)
            ack.writeStaticString("\n")
            context.write(wrapOutboundOut(ack), promise: nil)
        }
        context.write(
            wrapOutboundOut(message.headerBlock(escaped: escapesHeaders, allocator: context.channel.allocator)),
            promise: nil)
        if message.body.readableBytes > 0 {
            context.write(wrapOutboundOut(message.body), promise: nil)
        }
        context.write(wrapOutboundOut(Self.frameTrailer), promise: nil)
        noteWrite()
        return true
    }

    private func noteWrite() {
        wroteSinceHeartbeat = true
        if !hasUnflushedWrites {
            hasUnflushedWrites = true
            router.markNeedsFlush(self)
        }
    }

    func flushIfNeeded() {
        guard hasUnflushedWrites, let context else { return }
        hasUnflushedWrites = false
        context.flush()
    }

    /// Closes the channel; the future completes when it is closed.
    func close() -> EventLoopFuture<Void> {
        guard let context else { return router.eventLoop.makeSucceededVoidFuture() }
        let promise = context.eventLoop.makePromise(of: Void.self)
        context.close(promise: promise)
        return promise.futureResult.recover { _ in }
    }

    // MARK: Heart-beats

    private func startHeartbeats(_ negotiated: ConnectNegotiation) {
        guard let context else { return }
        let bound = NIOLoopBound(self, eventLoop: context.eventLoop)
        if negotiated.sendInterval > 0 {
            let interval = TimeAmount.milliseconds(Int64(negotiated.sendInterval))
            timers.append(
                context.eventLoop.scheduleRepeatedTask(initialDelay: interval, delay: interval) { _ in
                    bound.value.sendHeartbeatIfIdle()
                })
        }
        if negotiated.receiveInterval > 0 {
            let allowed = TimeAmount.milliseconds(Int64(negotiated.receiveInterval) * 2)
            let check = TimeAmount.milliseconds(max(1, Int64(negotiated.receiveInterval) / 2))
            timers.append(
                context.eventLoop.scheduleRepeatedTask(initialDelay: check, delay: check) { _ in
                    bound.value.checkClientAlive(allowed: allowed)
                })
        }
    }

    private func sendHeartbeatIfIdle() {
        guard phase == .connected, let context else { return }
        if !wroteSinceHeartbeat {
            context.writeAndFlush(wrapOutboundOut(Self.heartbeat), promise: nil)
        }
        wroteSinceHeartbeat = false
    }

    private func checkClientAlive(allowed: TimeAmount) {
        guard phase == .connected, let context else { return }
        if NIODeadline.now() - lastRead > allowed {
            router.connectionCounters.heartbeatTimeouts += 1
            router.publishStats()
            logger.info("client \(id) sent no heart-beat for \(allowed.nanoseconds / 1_000_000) ms; closing")
            phase = .closing
            context.close(promise: nil)
        }
    }
}

@available(*, unavailable)
extension BrokerConnectionHandler: Sendable {}
