import ChorusCore
import ChorusSecurity
import Foundation
import Logging
import NIOCore
import NIOPosix
import RubyMarshal
import STOMP
import Synchronization

/// A hand-driven client for hostile-input tests: sends arbitrary bodies to a node and
/// collects whatever comes back on its own reply queue.
public final class RawClient: Sendable {
    let client: STOMPClient
    let replyQueue: String
    let connector: String
    private final class Inbox: Sendable {
        let frames = Mutex<[STOMPFrame]>([])
    }
    private let inbox = Inbox()

    private init(client: STOMPClient, replyQueue: String, connector: String) {
        self.client = client
        self.replyQueue = replyQueue
        self.connector = connector
        Task { [inbox] in
            for await frame in client.frames where frame.command == .message {
                inbox.frames.withLock { $0.append(frame) }
            }
        }
    }

    /// Connects with MCollective's `activemq` or `rabbitmq` dialect.
    /// With `tls`, connects as the fleet's clients do: the fleet's CA, its client certificate.
    public static func connect(port: Int, connector: String = "activemq", tls: FleetTLS? = nil) async throws -> RawClient {
        let settings = tls.map {
            STOMPTLSSettings(caFiles: [$0.caCertificate], certificateFile: $0.client.certificate, privateKeyFile: $0.client.key, keyPrefix: "raw")
        }
        let configuration = STOMPClientConfiguration(
            endpoints: [STOMPEndpoint(host: "127.0.0.1", port: port, login: "mcollective", passcode: "marionette", tls: settings)],
            virtualHost: connector == "rabbitmq" ? "/mcollective" : "mcollective", reconnects: false)
        let client = STOMPClient(configuration: configuration, group: MultiThreadedEventLoopGroup.singleton, logger: Logger(label: "raw"))
        try await client.connect()
        let queue: String
        if connector == "rabbitmq" {
            queue = "/temp-queue/raw_reply_\(UInt32.random(in: 0 ... .max))"
        } else {
            queue = "/queue/mcollective.reply.raw_\(getpid()).\(UInt32.random(in: 0 ... .max))"
            try await client.subscribe(destination: queue)
        }
        return RawClient(client: client, replyQueue: queue, connector: connector)
    }

    /// Sends `body` to one node's directed destination.
    public func sendDirected(_ body: [UInt8], to node: String) async throws {
        let now = Int(Date().timeIntervalSince1970)
        if connector == "rabbitmq" {
            try await client.send(
                destination: "/exchange/mcollective_directed/\(node)",
                headers: [("reply-to", replyQueue), ("expiration", "70000"), ("mc_sender", "raw")],
                body: ByteBuffer(bytes: body))
        } else {
            try await client.send(
                destination: "/queue/mcollective.nodes",
                headers: [("timestamp", "\(now * 1000)"), ("expires", "\((now + 70) * 1000)"), ("reply-to", replyQueue), ("mc_identity", node), ("mc_sender", "raw")],
                body: ByteBuffer(bytes: body))
        }
    }

    /// A correctly signed psk request, with knobs for the attacks.
    public static func request(agent: String = "rpcutil", action: String, data: RubyHash = RubyHash(), psk: String, ageSeconds: Int = 0, ttl: Int = 60, filterOnAgent: Bool = true) throws -> [UInt8] {
        try request(agent: agent, action: action, data: data, security: PSKSecurityProvider(psk: psk, callerID: "uid=0"), ageSeconds: ageSeconds, ttl: ttl, filterOnAgent: filterOnAgent)
    }

    /// A request signed by any security provider.
    public static func request(agent: String = "rpcutil", action: String, data: RubyHash = RubyHash(), security: any SecurityProvider, ageSeconds: Int = 0, ttl: Int = 60, filterOnAgent: Bool = true) throws -> [UInt8] {
        var filter = Filter()
        if filterOnAgent { filter.agents = [agent] }
        var arguments = data
        arguments.set(.bool(true), forSymbol: "process_results")
        let request = Request(
            requestID: Request.newRequestID(), senderID: "raw", callerID: security.callerID, agent: agent, collective: "mcollective",
            filter: filter.rubyValue, ttl: ttl, messageTime: Int(Date().timeIntervalSince1970) - ageSeconds,
            body: RPCRequestBody(agent: agent, action: action, caller: security.callerID, data: arguments).rubyValue)
        return try security.encodeRequest(request)
    }

    /// The next reply within `timeout`, decoded with `psk`; nil when none arrives.
    public func nextReply(psk: String, timeout: Duration = .seconds(2)) async throws -> Reply? {
        try await nextReply(security: try PSKSecurityProvider(psk: psk, callerID: "uid=0"), timeout: timeout)
    }

    /// The next reply within `timeout`, verified and decoded by `security`; nil when none arrives.
    public func nextReply(security: any SecurityProvider, timeout: Duration = .seconds(2)) async throws -> Reply? {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            let frame = inbox.frames.withLock { $0.isEmpty ? nil : $0.removeFirst() }
            if let frame { return try security.decodeReply(Array(frame.body.readableBytesView)) }
            try await Task.sleep(for: .milliseconds(10))
        }
        return nil
    }

    public func close() async { await client.close() }
}

/// Raw TCP for bytes that are not STOMP at all.
public enum RawSocket {
    /// Connects, writes `bytes`, and returns what the peer sent before closing (2 s at most).
    public static func exchange(port: Int, bytes: [UInt8]) throws -> [UInt8] {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw FleetError("socket failed") }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Foundation.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else { throw FleetError("connect failed") }
        var timeout = timeval(tv_sec: 2, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        _ = bytes.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, 0) }
        var received: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = recv(fd, &buffer, buffer.count, 0)
            if n <= 0 { break }
            received.append(contentsOf: buffer[0..<n])
        }
        return received
    }
}
