import Foundation
import Logging
import NIOCore
import NIOHTTP1
import NIOPosix

/// The HTTP/1.1 listener of `stats.listen`: answers `GET /stats`, `/metrics` and `/healthz`
/// (``StatsResponse``) from the snapshot ``BrokerStats`` last published, so a request never
/// touches the routing core or waits for it.
///
/// It runs on another event loop of the group than the broker's when the group has more than
/// one, and it bounds what a client can hold: one request per connection (the answer carries
/// `Connection: close`), ``requestTimeout`` to send it (then 408), ``maxConnections`` open at
/// once (more get 503). A request the HTTP parser refuses gets 400. Every answer is counted by
/// status (``StatsDocument/http``).
final class StatsEndpoint: Sendable {
    /// Most connections open at once.
    static let maxConnections = 32
    /// How long a client may take to send its request.
    static let requestTimeout = TimeAmount.seconds(10)

    private let channel: any Channel
    /// The bound address.
    let address: SocketAddress?

    private init(channel: any Channel) {
        self.channel = channel
        self.address = channel.localAddress
    }

    /// Binds `listen` on a loop of `group` other than `brokerLoop` when there is one.
    static func start(
        listen: ListenAddress, group: any EventLoopGroup, brokerLoop: any EventLoop, statistics: BrokerStats,
        context: StatsDocument.Context, logger: Logger, requestTimeout: TimeAmount = StatsEndpoint.requestTimeout
    ) async throws -> StatsEndpoint {
        let loop = group.makeIterator().first { $0 !== brokerLoop } ?? brokerLoop
        let shared = StatsEndpointState(statistics: statistics, context: context)
        let channel = try await ServerBootstrap(group: loop)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .serverChannelOption(.backlog, value: 64)
            .childChannelOption(.allowRemoteHalfClosure, value: false)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    let pipeline = channel.pipeline.syncOperations
                    try pipeline.configureHTTPServerPipeline(withPipeliningAssistance: false, withErrorHandling: true)
                    try pipeline.addHandler(
                        StatsHTTPHandler(shared: shared, logger: logger, requestTimeout: requestTimeout))
                }
            }
            .bind(host: listen.host, port: listen.port).get()
        let endpoint = StatsEndpoint(channel: channel)
        let shown = BrokerServer.describe(endpoint.address)
        logger.info("statistics on http://\(shown) (GET /stats, /metrics, /healthz)")
        if let ip = endpoint.address?.ipAddress, !Self.isLoopback(ip) {
            logger.warning(
                "the statistics endpoint http://\(shown) is reachable from other hosts and asks for no login; bind it to 127.0.0.1 unless that is intended (stats.listen)")
        }
        return endpoint
    }

    /// Stops listening; connections still open finish their one answer or time out.
    func close() async {
        try? await channel.close()
    }

    static func isLoopback(_ ip: String) -> Bool {
        ip.hasPrefix("127.") || ip == "::1" || ip.hasPrefix("::ffff:127.")
    }
}

/// What every connection of one endpoint shares: the published counters, what does not change,
/// the number of open connections and the answers given so far.
final class StatsEndpointState: @unchecked Sendable {  // mutable state is only touched under `lock`
    let statistics: BrokerStats
    let context: StatsDocument.Context
    private let lock = NSLock()
    private var open = 0
    private var responses: [Int: Int] = [:]

    init(statistics: BrokerStats, context: StatsDocument.Context) {
        self.statistics = statistics
        self.context = context
    }

    /// Takes a connection slot; false when all ``StatsEndpoint/maxConnections`` are taken.
    func admit() -> Bool {
        lock.withLock {
            guard open < StatsEndpoint.maxConnections else { return false }
            open += 1
            return true
        }
    }

    func release() { lock.withLock { open -= 1 } }

    func count(status: Int) { lock.withLock { responses[status, default: 0] += 1 } }

    /// The document now; `listener` is the endpoint's own address.
    func document(listener: String) -> StatsDocument {
        let http = lock.withLock { responses }
        return StatsDocument(
            snapshot: statistics.snapshot, context: context, statsListener: listener,
            http: Dictionary(uniqueKeysWithValues: http.map { (String($0.key), $0.value) }))
    }
}

/// One connection to the statistics endpoint: reads one request, writes one answer, closes.
final class StatsHTTPHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private let shared: StatsEndpointState
    private let logger: Logger
    private let requestTimeout: TimeAmount
    private var request: HTTPRequestHead?
    private var activated = false
    private var admitted = false
    private var answered = false
    private var timer: Scheduled<Void>?

    init(shared: StatsEndpointState, logger: Logger, requestTimeout: TimeAmount) {
        self.shared = shared
        self.logger = logger
        self.requestTimeout = requestTimeout
    }

    func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive { activate(context) }
    }

    func channelActive(context: ChannelHandlerContext) {
        activate(context)
        context.fireChannelActive()
    }

    private func activate(_ context: ChannelHandlerContext) {
        guard !activated else { return }
        activated = true
        admitted = shared.admit()
        guard admitted else {
            logger.debug(
                "statistics endpoint: refused \(BrokerServer.describe(context.remoteAddress)), \(StatsEndpoint.maxConnections) connections are open")
            answer(.busy, context: context)
            return
        }
        let bound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
        timer = context.eventLoop.scheduleTask(in: requestTimeout) {
            let (handler, context) = bound.value
            guard !handler.answered else { return }
            handler.logger.debug(
                "statistics endpoint: \(BrokerServer.describe(context.remoteAddress)) sent no complete request in time")
            handler.answer(.requestTimeout, context: context)
        }
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !answered else { return }
        switch unwrapInboundIn(data) {
        case .head(let head):
            request = head
        case .body:
            break
        case .end:
            guard let request else { return }
            let listener = BrokerServer.describe(context.localAddress)
            let response = StatsResponse.answer(method: request.method.rawValue, target: request.uri) {
                shared.document(listener: listener)
            }
            logger.debug(
                "statistics endpoint: \(request.method.rawValue) \(request.uri.prefix(200)) from \(BrokerServer.describe(context.remoteAddress)): \(response.status)")
            answer(response, context: context)
        }
    }

    /// Writes `response` with `Connection: close` and closes once it is sent.
    private func answer(_ response: StatsResponse, context: ChannelHandlerContext) {
        answered = true
        timer?.cancel()
        timer = nil
        shared.count(status: response.status)
        var headers = HTTPHeaders()
        headers.add(name: "Content-Type", value: response.contentType)
        headers.add(name: "Content-Length", value: String(response.body.utf8.count))
        headers.add(name: "Connection", value: "close")
        headers.add(name: "Cache-Control", value: "no-store")
        for (name, value) in response.headers { headers.add(name: name, value: value) }
        let head = HTTPResponseHead(
            version: .http1_1, status: HTTPResponseStatus(statusCode: response.status, reasonPhrase: response.reason),
            headers: headers)
        context.write(wrapOutboundOut(.head(head)), promise: nil)
        context.write(wrapOutboundOut(.body(.byteBuffer(context.channel.allocator.buffer(string: response.body)))), promise: nil)
        let channel = context.channel
        context.writeAndFlush(wrapOutboundOut(.end(nil))).whenComplete { _ in channel.close(promise: nil) }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        if error is HTTPParserError, !answered {
            // HTTPServerProtocolErrorHandler has answered 400.
            answered = true
            timer?.cancel()
            shared.count(status: 400)
            logger.debug(
                "statistics endpoint: unparseable request from \(BrokerServer.describe(context.remoteAddress)): \(error)")
        }
        context.close(promise: nil)
    }

    func channelInactive(context: ChannelHandlerContext) {
        timer?.cancel()
        timer = nil
        if admitted {
            admitted = false
            shared.release()
        }
        context.fireChannelInactive()
    }
}

@available(*, unavailable)
extension StatsHTTPHandler: Sendable {}
