import Logging
import NIOCore
import NIOPosix
import NIOSSL

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

    private var writer: NIOAsyncChannelOutboundWriter<ByteBuffer>?
    private var channel: (any Channel)?
    private var subscriptions: [Subscription] = []
    private var waiters: [CheckedContinuation<Void, any Error>] = []
    private var runTask: Task<Void, Never>?
    private var closed = false
    private var lastError: STOMPClientError?
    private var escapeHeaders = false
    private var lastRead = NIODeadline.now()
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
    public func send(destination: String, headers: [(String, String)], body: ByteBuffer) async throws {
        var all = headers
        all.append(("destination", destination))
        all.append(contentsOf: Self.standardHeaders(bodyLength: body.readableBytes))
        let frame = STOMPFrame(command: .send, headers: STOMPHeaders(all), body: body)
        if writer == nil { try await waitUntilConnected() }
        try await write(frame)
    }

    /// Sends DISCONNECT, closes the connection and ends `frames`.
    public func close() async {
        guard !closed else { return }
        closed = true
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

    private func write(_ frame: STOMPFrame) async throws {
        guard let writer else { throw STOMPClientError.notConnected }
        var buffer = ByteBufferAllocator().buffer(capacity: frame.body.readableBytes + 256)
        STOMPFrameEncoder.encode(frame, into: &buffer, escapeHeaders: escapeHeaders && frame.command != .connect)
        try await writer.write(buffer)
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
        let asyncChannel = try await ClientBootstrap(group: group)
            .connectTimeout(timeout)
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .connect(host: endpoint.host, port: endpoint.port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    if let tlsContext {
                        let handler = try NIOSSLClientHandler(context: tlsContext, serverHostname: serverName)
                        try channel.pipeline.syncOperations.addHandlers(handler, tlsErrors)
                    }
                    return try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel)
                }
            }
        channel = asyncChannel.channel
        escapeHeaders = false
        version = "1.0"
        let handshakes = connectionCount
        do {
            try await asyncChannel.executeThenClose { inbound, outbound in
                try await self.converse(endpoint: endpoint, inbound: inbound, outbound: outbound)
            }
        } catch STOMPClientError.protocolError(let message) where connectionCount == handshakes && endpoint.tls == nil {
            throw STOMPClientError.connectFailed(
                endpoint: endpoint, reason: "the broker did not answer in STOMP (\(message)); \(Self.tlsPortHint)")
        } catch let error as STOMPClientError {
            throw error
        } catch {
            guard connectionCount == handshakes else { throw error }
            guard let settings = endpoint.tls else {
                throw STOMPClientError.connectFailed(endpoint: endpoint, reason: "\(error) before CONNECTED (\(Self.tlsPortHint))")
            }
            let reason = await TLSExplanation.explain(
                tlsErrors.error ?? error, endpoint: endpoint, settings: settings, group: group)
            throw STOMPClientError.tlsFailed(endpoint: endpoint, reason: reason)
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

    private func converse(
        endpoint: STOMPEndpoint,
        inbound: NIOAsyncChannelInboundStream<ByteBuffer>,
        outbound: NIOAsyncChannelOutboundWriter<ByteBuffer>
    ) async throws {
        var decoder = STOMPFrameDecoder(limits: configuration.limits)
        var pending = ByteBuffer()
        var buffer = ByteBufferAllocator().buffer(capacity: 256)
        STOMPFrameEncoder.encode(connectFrame(endpoint), into: &buffer, escapeHeaders: false)
        try await outbound.write(buffer)

        var heartbeat: Task<Void, Never>?
        defer { heartbeat?.cancel() }
        var connected = false
        for try await chunk in inbound {
            lastRead = .now()
            if pending.readableBytes == 0 {
                pending = chunk
            } else {
                var chunk = chunk
                pending.writeBuffer(&chunk)
            }
            while let event = try decodeNext(&decoder, &pending) {
                guard case .frame(let frame) = event else { continue }
                if !connected {
                    switch frame.command {
                    case .connected:
                        connected = true
                        heartbeat = established(frame, endpoint: endpoint, outbound: outbound, decoder: &decoder)
                        for subscription in subscriptions {
                            try await write(subscribeFrame(subscription))
                        }
                        connectionCount += 1
                        let waiting = waiters
                        waiters.removeAll()
                        for waiter in waiting { waiter.resume() }
                    case .error:
                        throw STOMPClientError.rejected(endpoint: endpoint, message: Self.errorText(frame))
                    default:
                        throw STOMPClientError.protocolError("expected CONNECTED, got \(frame.command.rawValue)")
                    }
                } else {
                    framesContinuation.yield(frame)
                }
            }
            pending.discardReadBytes()
        }
    }

    private func decodeNext(_ decoder: inout STOMPFrameDecoder, _ buffer: inout ByteBuffer) throws -> STOMPParseEvent? {
        do {
            return try decoder.next(&buffer)
        } catch {
            throw STOMPClientError.protocolError(error.description)
        }
    }

    /// Records the negotiated session and starts heart-beating when both sides asked for it.
    private func established(
        _ frame: STOMPFrame,
        endpoint: STOMPEndpoint,
        outbound: NIOAsyncChannelOutboundWriter<ByteBuffer>,
        decoder: inout STOMPFrameDecoder
    ) -> Task<Void, Never>? {
        version = frame.headers["version"] ?? "1.0"
        escapeHeaders = version != "1.0"
        decoder.unescapesHeaders = escapeHeaders
        writer = outbound
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
        return Task { await self.heartbeatLoop(sendEvery: sendEvery, expectEvery: expectEvery) }
    }

    private func heartbeatLoop(sendEvery: Int, expectEvery: Int) async {
        let tick = max(100, min(sendEvery > 0 ? sendEvery : Int.max, expectEvery > 0 ? expectEvery : Int.max) / 2)
        var lastSent = NIODeadline.now()
        let eol = ByteBuffer(string: "\n")
        while !Task.isCancelled, let writer {
            try? await Task.sleep(for: .milliseconds(tick))
            let now = NIODeadline.now()
            if sendEvery > 0, now - lastSent >= .milliseconds(Int64(sendEvery)) {
                try? await writer.write(eol)
                lastSent = now
            }
            if expectEvery > 0, now - lastRead > .milliseconds(Int64(expectEvery) * 2) {
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

    private static func errorText(_ frame: STOMPFrame) -> String {
        let message = frame.headers["message"] ?? "ERROR"
        let body = String(String(buffer: frame.body).drop(while: \.isWhitespace).reversed().drop(while: \.isWhitespace).reversed())
        return body.isEmpty ? message : "\(message): \(body)"
    }
}
