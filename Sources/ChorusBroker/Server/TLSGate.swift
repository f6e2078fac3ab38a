import Foundation
import Logging
import NIOCore
import NIOSSL
import NIOTLS
import STOMP

/// The first handler of a connection to a TLS listener. A TLS client opens with a handshake
/// record (first byte 0x16); anything else is a plaintext client on the wrong port, which gets a
/// plaintext STOMP ERROR frame saying so (every STOMP client, the stomp gem's included, shows
/// it), is logged with its address, counted in ``BrokerStats/Snapshot/tlsPlaintextRefused`` and
/// ``BrokerStats/Snapshot/tlsHandshakeFailures``, and closed. A TLS client passes through. It
/// also remembers whether the client sent anything, so a connection opened and closed without a
/// byte (a port probe) is not counted as a failed handshake.
final class PlaintextRefusalHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private static let tlsHandshakeRecord: UInt8 = 0x16
    private let router: BrokerRouter
    private var decided = false
    /// Whether the client sent at least one byte.
    private(set) var sawBytes = false

    init(router: BrokerRouter) {
        self.router = router
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !decided else {
            context.fireChannelRead(data)
            return
        }
        let bytes = unwrapInboundIn(data)
        guard let first = bytes.getInteger(at: bytes.readerIndex, as: UInt8.self) else { return }
        decided = true
        sawBytes = true
        if first == Self.tlsHandshakeRecord {
            context.fireChannelRead(data)
            return
        }
        router.logger.warning(
            "refused a plaintext connection from \(BrokerServer.describe(context.remoteAddress)) on the TLS listener \(BrokerServer.describe(context.localAddress)): the client must connect with TLS (plugin.<connector>.pool.N.ssl = 1)")
        router.connectionCounters.tlsHandshakeFailures += 1
        router.connectionCounters.tlsPlaintextRefused += 1
        router.publishStats()
        let frame = STOMPFrame(
            command: .error,
            headers: STOMPHeaders([("message", "TLS required"), ("content-type", "text/plain")]),
            body: ByteBuffer(string: "This port only accepts STOMP over TLS. Connect with TLS (MCollective: plugin.<connector>.pool.N.ssl = 1 with ssl.ca, ssl.cert and ssl.key) or use the broker's plaintext port.\n"))
        var out = context.channel.allocator.buffer(capacity: 256)
        STOMPFrameEncoder.encode(frame, into: &out, escapeHeaders: false)
        out.writeInteger(UInt8(ascii: "\n"))
        let channel = context.channel
        context.writeAndFlush(wrapOutboundOut(out)).whenComplete { _ in channel.close(promise: nil) }
    }
}

/// Sits behind the `NIOSSLServerHandler`: logs a failed handshake with the peer's address and
/// the reason, counts it in ``BrokerStats/Snapshot/tlsHandshakeFailures``, and closes the
/// connection; once the handshake completes it logs the session at debug level and leaves.
final class TLSHandshakeMonitor: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer

    private let router: BrokerRouter
    private let trustedClientCAs: [TLSCertificateSummary]
    private var reported = false

    init(router: BrokerRouter, trustedClientCAs: [TLSCertificateSummary]) {
        self.router = router
        self.trustedClientCAs = trustedClientCAs
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let tlsEvent = event as? TLSUserEvent, case .handshakeCompleted(let protocolName) = tlsEvent {
            let handler = try? context.pipeline.syncOperations.handler(type: NIOSSLHandler.self)
            let client = handler?.peerCertificate.map { "client certificate '\(TLSCertificateSummary($0).subject)'" } ?? "no client certificate"
            let version = handler?.tlsVersion.map { "\($0)" } ?? "?"
            router.logger.debug(
                "TLS established with \(BrokerServer.describe(context.remoteAddress)) (\(version)\(protocolName.map { ", ALPN \($0)" } ?? ""), \(client))")
            context.fireUserInboundEventTriggered(event)
            context.pipeline.syncOperations.removeHandler(context: context, promise: nil)
            return
        }
        context.fireUserInboundEventTriggered(event)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        let gate = try? context.pipeline.syncOperations.handler(type: PlaintextRefusalHandler.self)
        if !reported, gate?.sawBytes == false, TLSFailure.classify(error) == .closedDuringHandshake {
            // Opened and closed without a byte: a port probe, not a failed handshake.
            reported = true
            router.logger.debug("\(BrokerServer.describe(context.remoteAddress)) closed the connection without sending anything")
            context.close(promise: nil)
        }
        if !reported {
            reported = true
            router.logger.warning(
                "TLS handshake with \(BrokerServer.describe(context.remoteAddress)) on \(BrokerServer.describe(context.localAddress)) failed: \(explanation(error, context: context))")
            router.connectionCounters.tlsHandshakeFailures += 1
            router.publishStats()
            context.close(promise: nil)
        }
        context.fireErrorCaught(error)
    }

    private func explanation(_ error: any Error, context: ChannelHandlerContext) -> String {
        let failure = TLSFailure.classify(error)
        switch failure {
        case .certificateVerifyFailed:
            let peer = (try? context.pipeline.syncOperations.handler(type: NIOSSLHandler.self))?.peerCertificate
            let detail = peer.map {
                TLSCertificateDiagnosis.verifyFailure(
                    chain: [TLSCertificateSummary($0)], trusted: trustedClientCAs, now: Int(Date().timeIntervalSince1970))
            } ?? "certificate verify failed"
            return "client certificate refused: \(detail) (tls.ca)"
        case .clientSentNoCertificate:
            return "\(failure.reason) (tls.verify_clients = required)"
        case .peerRefusedOurCertificate(let alert):
            return "the client does not accept the broker's certificate (alert: \(alert)); its ssl.ca must hold the CA that signed tls.certificate"
        default:
            return failure.reason
        }
    }
}
