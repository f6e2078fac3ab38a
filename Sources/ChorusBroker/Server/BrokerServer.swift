import Foundation
import Logging
import NIOCore
import NIOPosix
import NIOSSL
import STOMP

/// The embedded STOMP broker: listens on the configured addresses and routes messages between
/// its clients.
///
/// All connections and the routing core live on one event loop of the group, so routing needs
/// no locks and no hops; the statistics are published for other threads through
/// ``BrokerStats``.
///
/// ```swift
/// let broker = try await BrokerServer.start(configuration: config, group: MultiThreadedEventLoopGroup.singleton, logger: logger)
/// print(broker.boundAddresses)      // port 0 in the configuration = an ephemeral port
/// try await broker.shutdown()
/// ```
public final class BrokerServer: Sendable {
    /// The version in CONNECTED's `server:Chorus/<version>` header.
    public static let version = "0.1.0"

    /// The addresses actually bound, in configuration order (ephemeral ports resolved).
    public let boundAddresses: [SocketAddress]
    /// Live counters.
    public let statistics: BrokerStats
    private let listeners: [any Channel]
    private let router: NIOLoopBound<BrokerRouter>
    private let logger: Logger
    private let statsEndpoint: StatsEndpoint?

    private init(
        boundAddresses: [SocketAddress], statistics: BrokerStats, listeners: [any Channel],
        router: NIOLoopBound<BrokerRouter>, logger: Logger, statsEndpoint: StatsEndpoint?
    ) {
        self.boundAddresses = boundAddresses
        self.statistics = statistics
        self.listeners = listeners
        self.router = router
        self.logger = logger
        self.statsEndpoint = statsEndpoint
    }

    /// The address the HTTP statistics endpoint is bound to (`stats.listen`); nil without one.
    public var statsAddress: SocketAddress? { statsEndpoint?.address }

    /// The counters now.
    public var stats: BrokerStats.Snapshot { statistics.snapshot }

    /// Binds every configured address and starts accepting clients.
    /// - Parameters:
    ///   - configuration: addresses, users, heart-beats, limits.
    ///   - group: where the broker runs (it uses one loop of it).
    ///   - logger: where to log; by default a `chorus.broker` logger at the configuration's
    ///     `loglevel` (info when unset).
    /// - Throws: a ``BrokerConfigurationError`` when a `tls://` listener's certificate, key or CA
    ///   cannot be used; the bind error if any address cannot be bound (those already bound are closed).
    public static func start(
        configuration: BrokerConfiguration, group: any EventLoopGroup, logger: Logger? = nil
    ) async throws -> BrokerServer {
        let logger = logger ?? defaultLogger(configuration)
        let (startedAt, startedUptime) = (Date(), ContinuousClock.now)
        let loop = group.next()
        let statistics = BrokerStats()
        let router = try await loop.submit {
            let router = BrokerRouter(eventLoop: loop, configuration: configuration, stats: statistics, logger: logger)
            router.startSweeping(every: .seconds(5))
            return NIOLoopBound(router, eventLoop: loop)
        }.get()

        let tlsContext: NIOSSLContext?
        do {
            tlsContext = try configuration.makeTLSContext()
        } catch {
            try? await loop.submit { router.value.closeAll() }.get().get()
            throw error
        }
        let trustedClientCAs = configuration.trustedClientCASummaries()
        func bootstrap(tls: Bool) -> ServerBootstrap {
            ServerBootstrap(group: loop)
                .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
                .serverChannelOption(.backlog, value: 1024)
                .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
                .childChannelOption(.allowRemoteHalfClosure, value: false)
                .childChannelOption(
                    .writeBufferWaterMark,
                    value: ChannelOptions.Types.WriteBufferWaterMark(
                        low: BrokerConnectionHandler.outboundLowWaterMark, high: BrokerConnectionHandler.outboundHighWaterMark))
                .childChannelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        let pipeline = channel.pipeline.syncOperations
                        if tls, let tlsContext {
                            // Plaintext is refused before the TLS handler sees it; handshake failures are logged and counted.
                            try pipeline.addHandler(PlaintextRefusalHandler(router: router.value))
                            try pipeline.addHandler(NIOSSLServerHandler(context: tlsContext))
                            try pipeline.addHandler(TLSHandshakeMonitor(router: router.value, trustedClientCAs: trustedClientCAs))
                        }
                        try pipeline.addHandler(BrokerConnectionHandler(router: router.value))
                    }
                }
        }

        var listeners: [any Channel] = []
        var addresses: [SocketAddress] = []
        var statsEndpoint: StatsEndpoint?
        do {
            for address in configuration.listen {
                let channel = try await bootstrap(tls: address.tls).bind(host: address.host, port: address.port).get()
                listeners.append(channel)
                if let local = channel.localAddress { addresses.append(local) }
                logger.debug("listening on \(address.tls ? "tls://" : "")\(describe(channel.localAddress))")
            }
            if let statsListen = configuration.statsListen {
                let context = StatsDocument.Context(
                    configuration: configuration, boundAddresses: addresses.map { describe($0) }, startedAt: startedAt,
                    startedUptime: startedUptime)
                statsEndpoint = try await StatsEndpoint.start(
                    listen: statsListen, group: group, brokerLoop: loop, statistics: statistics, context: context,
                    logger: logger)
            }
        } catch {
            for channel in listeners { try? await channel.close() }
            try? await loop.submit { router.value.closeAll() }.get().get()
            throw error
        }
        return BrokerServer(
            boundAddresses: addresses, statistics: statistics, listeners: listeners, router: router, logger: logger,
            statsEndpoint: statsEndpoint)
    }

    /// `host:port` (`[v6]:port`) for log lines; `?` when unknown.
    public static func describe(_ address: SocketAddress?) -> String {
        guard let address, let host = address.ipAddress, let port = address.port else {
            return address.map { "\($0)" } ?? "?"
        }
        return host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
    }

    private static func defaultLogger(_ configuration: BrokerConfiguration) -> Logger {
        var logger = Logger(label: "chorus.broker")
        switch configuration.logLevel?.lowercased() {
        case "warn": logger.logLevel = .warning
        case "fatal": logger.logLevel = .critical
        case let name?: logger.logLevel = Logger.Level(rawValue: name) ?? .info
        case nil: logger.logLevel = .info
        }
        return logger
    }

    /// Stops listening, then closes every client connection and waits until they are closed.
    /// Nothing more is routed; each connection first gets up to `shutdown.grace_ms` to have the
    /// frames already queued for it written (docs/BROKER.md, Shutdown).
    public func shutdown() async throws {
        await statsEndpoint?.close()
        for listener in listeners {
            try? await listener.close()
        }
        let router = self.router
        try await router.eventLoop.flatSubmit {
            let grace = router.value.configuration.shutdownGraceMilliseconds
            return router.value.closeAll(grace: .milliseconds(Int64(grace)))
        }.get()
        logger.info("broker stopped")
    }
}
