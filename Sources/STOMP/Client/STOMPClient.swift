import Logging
import NIOCore
import NIOPosix
import NIOSSL
import Synchronization

/// A STOMP client connection to one broker of a pool, as MCollective's connectors use it:
/// CONNECT with login and virtual host, SUBSCRIBE, SEND, MESSAGE delivery, optional
/// heart-beats, and (for node daemons) reconnection with exponential back-off that
/// restores every subscription.
///
/// Inbound MESSAGE and ERROR frames arrive on `frames`, across reconnections.
public actor STOMPClient {
    /// A subscription the client restores after every reconnection.
    public struct Subscription: Sendable {
        public var destination: String
        /// The STOMP 1.1+ `id`; under STOMP 1.0 it is kept locally only, as the stomp gem does.
        public var id: String
        public var headers: [(String, String)]
    }

    /// MESSAGE, ERROR and RECEIPT frames from the broker.
    public nonisolated let frames: AsyncStream<STOMPFrame>
    private let framesContinuation: AsyncStream<STOMPFrame>.Continuation

    private let configuration: STOMPClientConfiguration
    private let group: any EventLoopGroup
    private let logger: Logger

    /// The connection frames are written to, once CONNECTED has arrived on it.
    private var writer: (any Channel)?
    /// The same connection and its escaping, once subscriptions are restored: `send` reads it
    /// without entering the actor, so a node's replies and a client's requests cost no actor hop.
    private nonisolated let ready = Mutex<ReadyConnection?>(nil)

    private struct ReadyConnection: Sendable {
        var channel: any Channel
        var escapeHeaders: Bool
    }
    private var channel: (any Channel)?
    private var subscriptions: [Subscription] = []
    private var waiters: [CheckedContinuation<Void, any Error>] = []
    private var runTask: Task<Void, Never>?
    private var closed = false
    private var lastError: STOMPClientError?
    private var escapeHeaders = false
    /// The broker the client is connected to now, if any.
    public private(set) var connectedEndpoint: STOMPEndpoint?
    /// The negotiated STOMP version ("1.0", "1.1", "1.2").
    public private(set) var version = "1.0"
    /// Number of successful CONNECTED handshakes (1 + reconnections).
    public private(set) var connectionCount = 0
    /// TLS contexts built once per settings value (files are read at the first connection).
    private var tlsContexts: [STOMPTLSSettings: NIOSSLContext] = [:]

    public init(configuration: STOMPClientConfiguration, group: any EventLoopGroup, logger: Logger) {
        self.configuration = configuration
        self.group = group
        self.logger = logger
        (frames, framesContinuation) = AsyncStream.makeStream(of: STOMPFrame.self, bufferingPolicy: .unbounded)
    }

    /// Starts the connection loop and waits for the first CONNECTED. Without `reconnects`,
    /// a failure to connect is thrown; with it, this waits until some broker of the pool answers.
    public func connect() async throws {
        if connectedEndpoint != nil { return }
        if closed { throw STOMPClientError.closed }
        if runTask == nil {
            runTask = Task { await self.runLoop() }
        }
        try await waitUntilConnected()
    }

    /// Waits until the client is connected (immediately if it is).
    public func waitUntilConnected() async throws {
        if connectedEndpoint != nil { return }
        if closed { throw lastError ?? STOMPClientError.closed }
        try await withCheckedThrowingContinuation { waiters.append($0) }
    }

    /// Subscribes now (if connected) and after every reconnection.
    public func subscribe(destination: String, id: String? = nil, headers: [(String, String)] = []) async throws {
        let subscription = Subscription(destination: destination, id: id ?? destination, headers: headers)
        subscriptions.removeAll { $0.id == subscription.id }
        subscriptions.append(subscription)
        if writer != nil {
            try await write(subscribeFrame(subscription))
        }
    }

    /// Removes a subscription by its id (the destination when no id was given).
    public func unsubscribe(id: String) async throws {
        guard let index = subscriptions.firstIndex(where: { $0.id == id }) else { return }
        let subscription = subscriptions.remove(at: index)
        guard writer != nil else { return }
        var headers: [(String, String)]
        if version == "1.0" {
            headers = [("destination", subscription.destination)]
        } else {
            headers = [("id", subscription.id)]
        }
        headers.append(contentsOf: Self.standardHeaders(bodyLength: 0))
        try await write(STOMPFrame(command: .unsubscribe, headers: headers))
    }

    /// Sends a message. Waits for a connection when reconnecting; throws when closed.
    ///
    /// While connected it encodes and queues the frame on the connection from the caller's own
    /// task; only when there is no usable connection does it wait on the actor for one.
    public nonisolated func send(destination: String, headers: [(String, String)], body: ByteBuffer) async throws {
        var all = STOMPHeaders()
        all.reserveCapacity(headers.count + 3)
        for (name, value) in headers { all.add(name, value) }
        all.add("destination", destination)
        for (name, value) in Self.standardHeaders(bodyLength: body.readableBytes) { all.add(name, value) }
        let frame = STOMPFrame(command: .send, headers: all, body: body)
        if let connection = ready.withLock({ $0 }), connection.channel.isActive {
            Self.write(frame, to: connection.channel, escapeHeaders: connection.escapeHeaders)
            return
        }
        try await sendWhenConnected(frame)
    }

    private func sendWhenConnected(_ frame: STOMPFrame) async throws {
        if writer == nil { try await waitUntilConnected() }
        try await write(frame)
    }

    /// Sends DISCONNECT, closes the connection and ends `frames`.
    public func close() async {
        guard !closed else { return }
        closed = true
        ready.withLock { $0 = nil }
        if writer != nil {
            try? await write(STOMPFrame(command: .disconnect, headers: Self.standardHeaders(bodyLength: 0)))
        }
        try? await channel?.close()
        runTask?.cancel()
        failWaiters(STOMPClientError.closed)
        framesContinuation.finish()
    }

    // MARK: - Frames as MCollective's stomp gem writes them

    private static func standardHeaders(bodyLength: Int) -> [(String, String)] {
        [("content-length", String(bodyLength)), ("content-type", "text/plain; charset=UTF-8")]
    }

    private func connectFrame(_ endpoint: STOMPEndpoint) -> STOMPFrame {
        var headers: [(String, String)] = []
        if configuration.heartbeatInterval > 0 {
            let interval = configuration.heartbeatInterval * 1000
            headers.append(("accept-version", "1.1,1.0"))
            headers.append(("host", configuration.virtualHost))
            headers.append(("heart-beat", "\(interval + 500),\(interval - 500)"))
        } else {
            headers.append(("accept-version", "1.0"))
            headers.append(("host", configuration.virtualHost))
        }
        if let login = endpoint.login { headers.append(("login", login)) }
        if let passcode = endpoint.passcode { headers.append(("passcode", passcode)) }
        headers.append(contentsOf: Self.standardHeaders(bodyLength: 0))
        return STOMPFrame(command: .connect, headers: headers)
    }

    private func subscribeFrame(_ subscription: Subscription) -> STOMPFrame {
        var headers = subscription.headers
        headers.append(("destination", subscription.destination))
        if version != "1.0" { headers.append(("id", subscription.id)) }
        headers.append(contentsOf: Self.standardHeaders(bodyLength: 0))
        return STOMPFrame(command: .subscribe, headers: headers)
    }

    /// Encodes and queues one frame on the connection's event loop without waiting for it to be
    /// written (as an async channel writer would, minus its per-write task hop). A connection
    /// that has gone away is reported as `notConnected`.
    private func write(_ frame: STOMPFrame) async throws {
        guard let writer, writer.isActive else { throw STOMPClientError.notConnected }
        Self.write(frame, to: writer, escapeHeaders: escapeHeaders)
    }

    private static func write(_ frame: STOMPFrame, to channel: any Channel, escapeHeaders: Bool) {
        var buffer = channel.allocator.buffer(capacity: STOMPFrameEncoder.estimatedSize(of: frame) + 32)
        STOMPFrameEncoder.encode(frame, into: &buffer, escapeHeaders: escapeHeaders && frame.command != .connect)
        channel.writeAndFlush(buffer, promise: nil)
    }

    // MARK: - Connection loop

    private func runLoop() async {
        var failures = 0
        var index = 0
        while !closed && !Task.isCancelled {
            let endpoint = configuration.endpoints[index % configuration.endpoints.count]
            do {
                try await session(with: endpoint)
                failures = 0
                if !closed { logger.warning("connection to broker \(endpoint) closed") }
            } catch let error as STOMPClientError {
                lastError = error
                logger.warning("\(error)")
            } catch {
                let wrapped = STOMPClientError.connectFailed(endpoint: endpoint, reason: "\(error)")
                lastError = wrapped
                logger.warning("\(wrapped)")
            }
            connectedEndpoint = nil
            writer = nil
            ready.withLock { $0 = nil }
            channel = nil
            if closed { break }
            guard configuration.reconnects else {
                closed = true
                failWaiters(lastError ?? STOMPClientError.closed)
                framesContinuation.finish()
                break
            }
            index += 1
            let delay = min(configuration.maximumBackoff, configuration.initialBackoff * Double(1 << min(failures, 20)))
            failures += 1
            logger.info("reconnecting to \(configuration.endpoints[index % configuration.endpoints.count]) in \(delay) s")
            try? await Task.sleep(for: .milliseconds(Int(delay * 1000)))
        }
    }

    private func session(with endpoint: STOMPEndpoint) async throws {
        let timeout = TimeAmount.milliseconds(Int64(configuration.connectTimeout * 1000))
        let tlsContext = try endpoint.tls.map { try self.tlsContext(for: $0, endpoint: endpoint) }
        let serverName = endpoint.tlsServerName
        let tlsErrors = TLSErrorRecorder()
        let eventLoop = group.next()
        let signals = STOMPSessionSignals(eventLoop: eventLoop)
        let limits = configuration.limits
        let frames = framesContinuation
        let connecting = ClientBootstrap(group: eventLoop)
            .connectTimeout(timeout)
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    if let tlsContext {
                        let handler = try NIOSSLClientHandler(context: tlsContext, serverHostname: serverName)
                        try channel.pipeline.syncOperations.addHandlers(handler, tlsErrors)
                    }
                    try channel.pipeline.syncOperations.addHandler(
                        STOMPSessionHandler(endpoint: endpoint, limits: limits, frames: frames, signals: signals))
                }
            }
            .connect(host: endpoint.host, port: endpoint.port)
        let connection: any Channel
        do {
            connection = try await connecting.get()
        } catch {
            signals.finish(error)
            throw error
        }
        channel = connection
        escapeHeaders = false
        version = "1.0"
        let handshakes = connectionCount
        var heartbeat: Task<Void, Never>?
        var failure: (any Error)?
        do {
            try await converse(connection, endpoint: endpoint, signals: signals, heartbeat: &heartbeat)
        } catch is STOMPSessionSignals.ClosedBeforeConnected {
            failure = nil
        } catch {
            failure = error
        }
        heartbeat?.cancel()
        try? await connection.close()
        if let failure {
            switch failure {
            case STOMPClientError.protocolError(let message) where connectionCount == handshakes && endpoint.tls == nil:
                throw STOMPClientError.connectFailed(
                    endpoint: endpoint, reason: "the broker did not answer in STOMP (\(message)); \(Self.tlsPortHint)")
            case let error as STOMPClientError:
                throw error
            default:
                guard connectionCount == handshakes else { throw failure }
                guard let settings = endpoint.tls else {
                    throw STOMPClientError.connectFailed(endpoint: endpoint, reason: "\(failure) before CONNECTED (\(Self.tlsPortHint))")
                }
                let reason = await TLSExplanation.explain(
                    tlsErrors.error ?? failure, endpoint: endpoint, settings: settings, group: group)
                throw STOMPClientError.tlsFailed(endpoint: endpoint, reason: reason)
            }
        }
        if connectionCount == handshakes && !closed {
            let hint = endpoint.tls.map {
                "did the broker refuse our certificate? check \($0.keyPrefix).cert and \($0.keyPrefix).key and the broker's log"
            } ?? Self.tlsPortHint
            throw STOMPClientError.connectFailed(
                endpoint: endpoint, reason: "the broker closed the connection before answering CONNECT (\(hint))")
        }
    }

    private static let tlsPortHint =
        "if this is a TLS port, set plugin.<connector>.pool.N.ssl = 1 with its ssl.ca, ssl.cert and ssl.key"

    private func tlsContext(for settings: STOMPTLSSettings, endpoint: STOMPEndpoint) throws -> NIOSSLContext {
        if let context = tlsContexts[settings] { return context }
        do {
            let context = try settings.makeClientContext()
            tlsContexts[settings] = context
            return context
        } catch {
            throw STOMPClientError.tlsFailed(endpoint: endpoint, reason: error.message)
        }
    }

    /// CONNECT, wait for CONNECTED, subscribe, and wait until the connection ends. Frames after
    /// CONNECTED reach `frames` from the event loop directly (`STOMPSessionHandler`).
    private func converse(
        _ connection: any Channel, endpoint: STOMPEndpoint, signals: STOMPSessionSignals, heartbeat: inout Task<Void, Never>?
    ) async throws {
        var buffer = connection.allocator.buffer(capacity: 256)
        STOMPFrameEncoder.encode(connectFrame(endpoint), into: &buffer, escapeHeaders: false)
        try await connection.writeAndFlush(buffer)
        let connected = try await signals.handshake.futureResult.get()
        heartbeat = established(connected, endpoint: endpoint, connection: connection, signals: signals)
        for subscription in subscriptions {
            try await write(subscribeFrame(subscription))
        }
        connectionCount += 1
        let escape = escapeHeaders
        ready.withLock { $0 = ReadyConnection(channel: connection, escapeHeaders: escape) }
        let waiting = waiters
        waiters.removeAll()
        for waiter in waiting { waiter.resume() }
        try await signals.ended.futureResult.get()
    }

    /// Records the negotiated session and starts heart-beating when both sides asked for it.
    private func established(
        _ frame: STOMPFrame, endpoint: STOMPEndpoint, connection: any Channel, signals: STOMPSessionSignals
    ) -> Task<Void, Never>? {
        version = frame.headers["version"] ?? "1.0"
        escapeHeaders = version != "1.0"
        writer = connection
        connectedEndpoint = endpoint
        let transport = endpoint.tls.map { $0.verification == .verified ? ", TLS, broker verified" : ", TLS, broker NOT verified" } ?? ""
        logger.info("connected to broker \(endpoint) (STOMP \(version)\(transport))")

        guard configuration.heartbeatInterval > 0, let beat = frame.headers["heart-beat"] else { return nil }
        let ours = configuration.heartbeatInterval * 1000
        let parts = beat.split(separator: ",").compactMap { Int($0.filter { !$0.isWhitespace }) }
        guard parts.count == 2 else { return nil }
        // Broker's cx (it sends every cx ms) vs our wish to receive every (ours - 500) ms.
        let sendEvery = parts[1] > 0 ? max(ours + 500, parts[1]) : 0
        let expectEvery = parts[0] > 0 ? max(ours - 500, parts[0]) : 0
        guard sendEvery > 0 || expectEvery > 0 else { return nil }
        return Task { await self.heartbeatLoop(sendEvery: sendEvery, expectEvery: expectEvery, signals: signals) }
    }

    private func heartbeatLoop(sendEvery: Int, expectEvery: Int, signals: STOMPSessionSignals) async {
        let tick = max(100, min(sendEvery > 0 ? sendEvery : Int.max, expectEvery > 0 ? expectEvery : Int.max) / 2)
        var lastSent = NIODeadline.now()
        let eol = ByteBuffer(string: "\n")
        while !Task.isCancelled, let writer {
            try? await Task.sleep(for: .milliseconds(tick))
            let now = NIODeadline.now()
            if sendEvery > 0, now - lastSent >= .milliseconds(Int64(sendEvery)) {
                writer.writeAndFlush(eol, promise: nil)
                lastSent = now
            }
            if expectEvery > 0, now - signals.lastReadTime > .milliseconds(Int64(expectEvery) * 2) {
                logger.warning("no data or heart-beat from broker \(connectedEndpoint.map(String.init(describing:)) ?? "?") for \(expectEvery * 2) ms; reconnecting")
                try? await channel?.close()
                return
            }
        }
    }

    private func failWaiters(_ error: any Error) {
        let waiting = waiters
        waiters.removeAll()
        for waiter in waiting { waiter.resume(throwing: error) }
    }

    static func errorText(_ frame: STOMPFrame) -> String {
        let message = frame.headers["message"] ?? "ERROR"
        let body = String(String(buffer: frame.body).drop(while: \.isWhitespace).reversed().drop(while: \.isWhitespace).reversed())
        return body.isEmpty ? message : "\(message): \(body)"
    }
}
