import NIOCore
import NIOPosix
import NIOSSL
import NIOTLS
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension STOMPTLSSettings {
    /// Loads every file and builds the TLS context once, so a configuration that cannot work
    /// is refused at start with an error naming the key, not at the first connection.
    public func validate() throws(STOMPTLSConfigurationError) {
        _ = try makeClientContext()
    }

    /// The CA certificates of verified mode (empty when unverified).
    func trustedCertificates() throws(STOMPTLSConfigurationError) -> [NIOSSLCertificate] {
        guard verification == .verified else { return [] }
        var roots: [NIOSSLCertificate] = []
        for file in caFiles { roots += try TLSFiles.certificates(file, key: "\(keyPrefix).ca") }
        return roots
    }

    func makeClientContext() throws(STOMPTLSConfigurationError) -> NIOSSLContext {
        var configuration = TLSConfiguration.makeClientConfiguration()
        configuration.minimumTLSVersion = .tlsv12
        switch verification {
        case .unverified:
            configuration.certificateVerification = .none
        case .verified:
            configuration.trustRoots = .certificates(try trustedCertificates())
            configuration.certificateVerification = .fullVerification
            if let certificateFile, let privateKeyFile {
                configuration.certificateChain = try TLSFiles.certificates(certificateFile, key: "\(keyPrefix).cert")
                    .map { .certificate($0) }
                configuration.privateKey = .privateKey(try TLSFiles.privateKey(privateKeyFile, key: "\(keyPrefix).key"))
            }
        }
        do {
            return try NIOSSLContext(configuration: configuration)
        } catch {
            throw STOMPTLSConfigurationError(
                message: "\(keyPrefix): cannot set up TLS with these files (\(error)); is \(keyPrefix).key the key of \(keyPrefix).cert?")
        }
    }
}

extension STOMPEndpoint {
    /// The name sent as SNI and checked against the certificate's DNS names; `nil` for an IP
    /// address, which is checked against the certificate's IP address names instead.
    var tlsServerName: String? {
        (try? SocketAddress(ipAddress: host, port: 0)) == nil ? host : nil
    }
}

extension TLSCertificateSummary {
    /// Names, dates and alternative names of a certificate.
    public init(_ certificate: NIOSSLCertificate) {
        func name(_ parts: [SSLCertificateName]) -> String {
            parts.map { "\(Self.label($0.type))=\($0.value)" }.joined(separator: ", ")
        }
        var alternatives: [String] = []
        for entry in certificate._subjectAlternativeNames() {
            switch entry.nameType {
            case .dnsName:
                alternatives.append("DNS:" + entry.contents.withUnsafeBufferPointer { String(decoding: $0, as: UTF8.self) })
            case .ipAddress:
                let bytes = entry.contents.withUnsafeBufferPointer { Array($0) }
                alternatives.append("IP:" + Self.ipAddress(bytes))
            default:
                continue
            }
        }
        self.init(
            subject: name(certificate.subjectName), issuer: name(certificate.issuerName),
            notBefore: Int(certificate.notValidBefore), notAfter: Int(certificate.notValidAfter),
            alternativeNames: alternatives)
    }

    /// Dotted quad for 4 bytes, colon-separated hex groups for 16.
    static func ipAddress(_ bytes: [UInt8]) -> String {
        if bytes.count == 4 { return bytes.map(String.init).joined(separator: ".") }
        return stride(from: 0, to: bytes.count - 1, by: 2)
            .map { String(UInt16(bytes[$0]) << 8 | UInt16(bytes[$0 + 1]), radix: 16) }
            .joined(separator: ":")
    }

    private static func label(_ type: SSLCertificateNameType) -> String {
        switch type {
        case .commonName: return "CN"
        case .organization: return "O"
        case .organizationalUnit: return "OU"
        case .country: return "C"
        case .state: return "ST"
        case .city: return "L"
        case .emailAddress: return "emailAddress"
        case .userId: return "UID"
        default: return "?"
        }
    }
}

/// Fetches the certificate chain a broker presents, without trusting it, to explain why
/// verification failed. The probe completes the handshake unverified (presenting our own
/// certificate, if any) and closes at once; it sends no STOMP bytes.
enum TLSChainProbe {
    static func chain(of endpoint: STOMPEndpoint, group: any EventLoopGroup, timeout: TimeAmount) async -> [TLSCertificateSummary]? {
        var configuration = TLSConfiguration.makeClientConfiguration()
        configuration.certificateVerification = .none
        // Our own certificate, when there is one, so a broker that wants one does not log a second failure.
        if let settings = endpoint.tls, let certificate = settings.certificateFile, let key = settings.privateKeyFile,
            let chain = try? TLSFiles.certificates(certificate, key: "\(settings.keyPrefix).cert"),
            let privateKey = try? TLSFiles.privateKey(key, key: "\(settings.keyPrefix).key")
        {
            configuration.certificateChain = chain.map { .certificate($0) }
            configuration.privateKey = .privateKey(privateKey)
        }
        guard let context = try? NIOSSLContext(configuration: configuration) else { return nil }
        let loop = group.next()
        let captured = loop.makePromise(of: [TLSCertificateSummary].self)
        let finished = loop.makePromise(of: Void.self)
        let serverName = endpoint.tlsServerName
        let channel = try? await ClientBootstrap(group: loop)
            .connectTimeout(timeout)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    let handler = try NIOSSLClientHandler(
                        context: context, serverHostname: serverName,
                        customVerificationCallback: { certificates, verdict in
                            captured.succeed(certificates.map(TLSCertificateSummary.init))
                            verdict.succeed(.certificateVerified)
                        })
                    try channel.pipeline.syncOperations.addHandlers(handler, HandshakeEnd(finished))
                }
            }
            .connect(host: endpoint.host, port: endpoint.port).get()
        guard let channel else {
            captured.fail(ChannelError.connectTimeout(timeout))
            finished.succeed()
            return nil
        }
        let deadline = loop.scheduleTask(in: timeout) {
            captured.fail(ChannelError.connectTimeout(timeout))
            finished.succeed()
        }
        channel.closeFuture.whenComplete { _ in
            captured.fail(ChannelError.alreadyClosed)
            finished.succeed()
        }
        let chain = try? await captured.futureResult.get()
        // Let the handshake finish before closing, so the broker sees a completed handshake
        // and a clean close, not a second failure.
        try? await finished.futureResult.get()
        deadline.cancel()
        try? await channel.close()
        return chain
    }
}

/// Completes a promise when the TLS handshake has ended, either way.
private final class HandshakeEnd: ChannelInboundHandler, Sendable {
    typealias InboundIn = ByteBuffer
    private let promise: EventLoopPromise<Void>

    init(_ promise: EventLoopPromise<Void>) { self.promise = promise }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let tlsEvent = event as? TLSUserEvent, case .handshakeCompleted = tlsEvent { promise.succeed() }
        context.fireUserInboundEventTriggered(event)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        promise.succeed()
        context.fireErrorCaught(error)
    }
}

/// The message for a failed handshake: what went wrong and which setting to check.
enum TLSExplanation {
    static func explain(
        _ error: any Error, endpoint: STOMPEndpoint, settings: STOMPTLSSettings, group: any EventLoopGroup
    ) async -> String {
        let failure = TLSFailure.classify(error)
        let key = settings.keyPrefix
        let clientFiles = "\(key).cert and \(key).key"
        switch failure {
        case .certificateVerifyFailed:
            let chain = await TLSChainProbe.chain(of: endpoint, group: group, timeout: .seconds(5))
            let trusted = ((try? settings.trustedCertificates()) ?? []).map(TLSCertificateSummary.init)
            let detail = chain.map {
                TLSCertificateDiagnosis.verifyFailure(chain: $0, trusted: trusted, now: Int(time(nil)))
            } ?? failure.reason
            return "\(detail); check \(key).ca (\(settings.caFiles.joined(separator: ",")))"
        case .hostnameMismatch:
            let chain = await TLSChainProbe.chain(of: endpoint, group: group, timeout: .seconds(5))
            return TLSCertificateDiagnosis.hostnameMismatch(leaf: chain?.first, host: endpoint.host)
                + "; connect by a name the broker's certificate holds, or give the broker a certificate for \(endpoint.host)"
        case .peerRefusedOurCertificate:
            if let certificate = settings.certificateFile {
                return "\(failure.reason); check \(clientFiles): the broker must trust the CA that signed \(certificate)"
            }
            return "\(failure.reason); the broker wants a client certificate: set \(clientFiles)"
        case .peerRequiresCertificate:
            return "\(failure.reason); set \(clientFiles)"
        case .notTLS:
            return "\(failure.reason); set \(key) = 0 or use the broker's TLS port"
        case .closedDuringHandshake:
            return "\(failure.reason) (did the broker refuse our certificate? check \(clientFiles) and the broker's log)"
        case .noCommonProtocol, .clientSentNoCertificate, .other:
            return failure.reason
        }
    }
}

/// Remembers the first error the TLS handler raised on a connection. A failed handshake can
/// surface in the client as "I/O on closed channel" from a pending write, racing the
/// handshake error itself; this keeps the real reason for the message.
final class TLSErrorRecorder: ChannelInboundHandler, Sendable {
    typealias InboundIn = ByteBuffer

    private let first = Mutex<(any Error)?>(nil)

    /// The first error seen, if any.
    var error: (any Error)? { first.withLock { $0 } }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        first.withLock { if $0 == nil { $0 = error } }
        context.fireErrorCaught(error)
    }
}
