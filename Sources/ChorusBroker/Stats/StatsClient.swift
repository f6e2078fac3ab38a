import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix

/// Fetches the statistics endpoint's pages over plain HTTP/1.1, for `chorus broker stats`: one
/// GET per connection, `Connection: close`, bounded in time.
///
/// ```swift
/// let target = try StatsClient.Target(url: "http://127.0.0.1:61680")
/// let document = try await StatsClient.document(from: target, group: MultiThreadedEventLoopGroup.singleton)
/// ```
public enum StatsClient {
    /// Where the endpoint is: host, port and the path of the statistics document.
    public struct Target: Sendable, Equatable, CustomStringConvertible {
        public var host: String
        public var port: Int
        /// `/stats` unless the URL named another path.
        public var path: String

        /// The default address, `stats.listen`'s usual value.
        public static let defaultURL = "http://127.0.0.1:61680"

        public init(host: String, port: Int, path: String = "/stats") {
            self.host = host
            self.port = port
            self.path = path
        }

        /// Parses `http://HOST:PORT[/PATH]` (`[v6]` hosts in brackets; the path defaults to
        /// `/stats`); `HOST:PORT` alone is accepted as well.
        public init(url: String) throws(StatsClientError) {
            var rest = Substring(url.trimmingCharacters(in: .whitespaces))
            if let separator = rest.range(of: "://") {
                guard rest[..<separator.lowerBound].lowercased() == "http" else {
                    throw .badURL(url, "only http:// is served (the statistics endpoint has no TLS)")
                }
                rest = rest[separator.upperBound...]
            }
            let authority = rest.prefix { $0 != "/" }
            let path = rest.dropFirst(authority.count)
            guard let address = ListenAddress(parsing: String(authority)), !authority.contains("://") else {
                throw .badURL(url, "expected http://HOST:PORT, for example \(Self.defaultURL)")
            }
            guard address.port > 0 else { throw .badURL(url, "port 0 is not a port one can connect to") }
            self.init(host: address.host, port: address.port, path: path.isEmpty || path == "/" ? "/stats" : String(path))
        }

        /// Where to reach an endpoint bound to `listen`: a wildcard address (`0.0.0.0`, `::`) is
        /// reached on loopback.
        public init(listen: ListenAddress) {
            let host: String
            switch listen.host {
            case "0.0.0.0", "": host = "127.0.0.1"
            case "::", "[::]": host = "::1"
            default: host = listen.host
            }
            self.init(host: host, port: listen.port)
        }

        public var description: String {
            "http://\(host.contains(":") ? "[\(host)]" : host):\(port)\(path)"
        }
    }

    /// What the endpoint answered.
    public struct Response: Sendable {
        public var status: Int
        public var body: [UInt8]
    }

    /// GETs `path` (by default the target's) from `target`'s host and port.
    /// - Throws: ``StatsClientError/cannotConnect(_:_:)`` when nothing listens,
    ///   ``StatsClientError/timedOutOrClosed(_:)`` when no complete answer arrives within `timeout`.
    public static func get(
        _ target: Target, path: String? = nil, group: any EventLoopGroup, timeout: TimeAmount = .seconds(10)
    ) async throws(StatsClientError) -> Response {
        var shown = target
        shown.path = path ?? target.path
        let loop = group.next()
        let answer = loop.makePromise(of: Response.self)
        let channel: any Channel
        do {
            channel = try await ClientBootstrap(group: loop)
                .connectTimeout(.seconds(5))
                .channelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.addHTTPClientHandlers()
                        try channel.pipeline.syncOperations.addHandler(ResponseCollector(answer: answer))
                    }
                }
                .connect(host: target.host, port: target.port).get()
        } catch {
            answer.fail(error)
            throw .cannotConnect(shown.description, Self.reason(error))
        }
        let deadline = loop.scheduleTask(in: timeout) { channel.close(promise: nil) }
        defer { deadline.cancel() }
        var headers = HTTPHeaders()
        headers.add(name: "Host", value: target.host.contains(":") ? "[\(target.host)]:\(target.port)" : "\(target.host):\(target.port)")
        headers.add(name: "User-Agent", value: "chorus/\(BrokerServer.version)")
        headers.add(name: "Connection", value: "close")
        channel.write(HTTPClientRequestPart.head(HTTPRequestHead(version: .http1_1, method: .GET, uri: shown.path, headers: headers)), promise: nil)
        channel.writeAndFlush(HTTPClientRequestPart.end(nil), promise: nil)
        do {
            let response = try await answer.futureResult.get()
            try? await channel.close()
            return response
        } catch StatsClientError.unexpectedAnswer(_, let why) {
            try? await channel.close()
            throw .unexpectedAnswer(shown.description, why)
        } catch {
            try? await channel.close()
            throw .timedOutOrClosed(shown.description)
        }
    }

    /// `connection refused` rather than NIO's full error text.
    private static func reason(_ error: any Error) -> String {
        if let error = error as? NIOConnectionError, let first = error.connectionErrors.first {
            return reason(first.error)
        }
        if let error = error as? IOError { return String(cString: strerror(error.errnoCode)) }
        return "\(error)"
    }

    /// GETs the target's document and decodes it.
    public static func document(from target: Target, group: any EventLoopGroup) async throws(StatsClientError) -> StatsDocument {
        try await fetch(from: target, group: group).document
    }

    /// GETs the target's document: decoded, and the JSON as the endpoint sent it.
    public static func fetch(
        from target: Target, group: any EventLoopGroup
    ) async throws(StatsClientError) -> (document: StatsDocument, json: [UInt8]) {
        let response = try await get(target, group: group)
        guard response.status == 200 else {
            throw .unexpectedAnswer(
                target.description, "HTTP \(response.status): \(String(decoding: response.body.prefix(200), as: UTF8.self))")
        }
        do {
            return (try StatsDocument(json: Data(response.body)), response.body)
        } catch {
            throw .unexpectedAnswer(target.description, "not a statistics document: \(error)")
        }
    }

    /// Collects one response and completes `answer` with it; a connection that closes first
    /// fails it.
    private final class ResponseCollector: ChannelInboundHandler {
        typealias InboundIn = HTTPClientResponsePart
        /// Larger answers are refused.
        static let maximumBody = 16 * 1024 * 1024

        private let answer: EventLoopPromise<Response>
        private var done = false
        private var status = 0
        private var body: [UInt8] = []

        init(answer: EventLoopPromise<Response>) {
            self.answer = answer
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            guard !done else { return }
            switch unwrapInboundIn(data) {
            case .head(let head):
                status = Int(head.status.code)
            case .body(let buffer):
                body.append(contentsOf: buffer.readableBytesView)
                if body.count > Self.maximumBody {
                    finish(.failure(StatsClientError.unexpectedAnswer("", "an answer larger than 16 MiB")))
                    context.close(promise: nil)
                }
            case .end:
                finish(.success(Response(status: status, body: body)))
            }
        }

        func errorCaught(context: ChannelHandlerContext, error: any Error) {
            finish(.failure(error))
            context.close(promise: nil)
        }

        func channelInactive(context: ChannelHandlerContext) {
            finish(.failure(ChannelError.eof))
            context.fireChannelInactive()
        }

        private func finish(_ result: Result<Response, any Error>) {
            guard !done else { return }
            done = true
            answer.completeWith(result)
        }
    }
}

/// Why ``StatsClient`` got no statistics.
public enum StatsClientError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The URL is not `http://HOST:PORT[/PATH]`.
    case badURL(String, String)
    /// Nothing answered at the address (connection refused, no route, …).
    case cannotConnect(String, String)
    /// The connection closed, or the time ran out, before a complete answer.
    case timedOutOrClosed(String)
    /// An answer that is not a statistics document.
    case unexpectedAnswer(String, String)

    public var description: String {
        switch self {
        case .badURL(let url, let why): "bad URL '\(url)': \(why)"
        case .cannotConnect(let url, let why): "cannot connect to \(url): \(why)"
        case .timedOutOrClosed(let url): "\(url) closed the connection or took too long before answering completely"
        case .unexpectedAnswer(let url, let why): "unexpected answer from \(url): \(why)"
        }
    }
}
