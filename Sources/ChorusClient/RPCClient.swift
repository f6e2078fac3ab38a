import ChorusConnector
import ChorusCore
import ChorusSecurity
import Logging
import NIOCore
import RubyMarshal
import STOMP
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The RPC client: discovery, fan-out, reply collection, batching and limits over one
/// broker connection (MCollective's rpc/client.rb and client.rb). It never prints;
/// callers get values and progress callbacks.
public final class RPCClient: Sendable {
    public let settings: ClientSettings
    private let connection: STOMPClient
    private let router = ReplyRouter()
    private let logger: Logger
    private let sequence = Atomic<Int>(0)
    private let rejectedReplies = Atomic<Int>(0)
    private let reader = Mutex<Task<Void, Never>?>(nil)

    public init(settings: ClientSettings, group: any EventLoopGroup, logger: Logger) {
        self.settings = settings
        var brokers = settings.brokers
        brokers.reconnects = false
        self.connection = STOMPClient(configuration: brokers, group: group, logger: logger)
        self.logger = logger
    }

    /// Connects to the first broker that answers; throws with the reason when none does.
    public func connect() async throws {
        try await connection.connect()
        let task = Task { await self.readReplies() }
        reader.withLock { $0 = task }
    }

    public func close() async {
        await connection.close()
        router.finishAll()
        reader.withLock { $0?.cancel() }
    }

    /// Replies that failed decoding or verification (wrong PSK, garbage), counted and logged.
    public var rejectedReplyCount: Int { rejectedReplies.load(ordering: .relaxed) }

    private func readReplies() async {
        for await frame in connection.frames {
            switch frame.command {
            case .message:
                do {
                    let reply = try settings.security.decodeReply(Array(frame.body.readableBytesView))
                    router.deliver(reply)
                } catch {
                    rejectedReplies.wrappingAdd(1, ordering: .relaxed)
                    logger.warning("ignored a reply from \(frame.headers["mc_sender"] ?? "unknown"): \(error)")
                }
            case .error:
                logger.error("broker error: \(frame.headers["message"] ?? "") \(String(buffer: frame.body))")
            default:
                continue
            }
        }
        router.finishAll()
    }

    // MARK: - Publishing

    private enum Addressing {
        case broadcast
        case directed([String])
    }

    private struct Published {
        var requestID: String
        var replies: ReplyInbox
        var replySubscription: String?
    }

    /// Encodes one request, subscribes for its replies, and sends it broadcast or to each node.
    private func publish(agent: String, body: RubyValue, filter: Filter, addressing: Addressing, requestID: String? = nil) async throws -> Published {
        let requestID = requestID ?? Request.newRequestID()
        let now = Int(time(nil))
        let destination = settings.connector.replyDestination(
            collective: settings.collective, identity: settings.identity, agent: agent, pid: getpid(),
            sequence: sequence.wrappingAdd(1, ordering: .relaxed).newValue)
        if let subscription = destination.subscription {
            try await connection.subscribe(destination: subscription.destination, id: subscription.id, headers: subscription.headerPairs)
        }
        let replies = router.register(requestID)
        let request = Request(
            requestID: requestID, senderID: settings.identity, callerID: settings.security.callerID, agent: agent,
            collective: settings.collective, filter: filter.rubyValue, ttl: settings.ttl, messageTime: now, body: body)
        let payload = ByteBuffer(bytes: try settings.security.encodeRequest(request))
        switch addressing {
        case .broadcast:
            let message = settings.connector.broadcastRequest(
                collective: settings.collective, agent: agent, replyTo: destination.replyTo, sender: settings.identity,
                ttl: settings.ttl, now: now)
            try await connection.send(destination: message.destination, headers: message.headerPairs, body: payload)
        case .directed(let nodes):
            try await sendDirected(to: nodes, agent: agent, payload: payload, replyTo: destination.replyTo, now: now)
        }
        return Published(requestID: requestID, replies: replies, replySubscription: destination.subscription?.id)
    }

    private func sendDirected(to nodes: [String], agent: String, payload: ByteBuffer, replyTo: String, now: Int) async throws {
        for node in nodes {
            let message = settings.connector.directedRequest(
                collective: settings.collective, node: node, replyTo: replyTo, sender: settings.identity,
                ttl: settings.ttl, now: now)
            try await connection.send(destination: message.destination, headers: message.headerPairs, body: payload)
        }
    }

    private func finish(_ published: Published) async {
        router.finish(published.requestID)
        if let id = published.replySubscription {
            try? await connection.unsubscribe(id: id)
        }
    }

    // MARK: - Discovery and ping

    /// Sends a `discovery` ping with `filter` and reports each node that answers `pong`,
    /// with its round-trip time. Stops at `limit` answers, at `timeout`, or when the
    /// fleet has gone quiet (see `QuietWindow`).
    public func ping(filter: Filter, timeout: Duration, limit: Int? = nil, onReply: @Sendable (PingReply) -> Void = { _ in }) async throws -> [PingReply] {
        let clock = ContinuousClock()
        let start = clock.now
        let published = try await publish(agent: "discovery", body: .str("ping"), filter: filter, addressing: .broadcast)
        var seen = Set<String>()
        var answers: [PingReply] = []
        var window = QuietWindow(start: start, timeout: timeout)
        await collect(published.replies, until: { window.deadline }) { reply in
            guard reply.body.stringValue == "pong", seen.insert(reply.senderID).inserted else { return true }
            let elapsed = clock.now - start
            let answer = PingReply(sender: reply.senderID, milliseconds: elapsed.milliseconds)
            answers.append(answer)
            onReply(answer)
            window.replied(at: clock.now)
            if let limit, answers.count >= limit { return false }
            return true
        }
        await finish(published)
        return answers
    }

    /// The `mc` discovery method: the identities of nodes that match `filter` and have `agent`.
    /// Like mco, the discovery filter names the collective (a bare `ping` does not).
    public func discover(filter: Filter, agent: String, timeout: Duration, limit: Int? = nil) async throws -> [String] {
        var discoveryFilter = filter.requiring(agent: agent)
        discoveryFilter.collective = settings.collective
        return try await ping(filter: discoveryFilter, timeout: timeout, limit: limit).map(\.sender)
    }

    // MARK: - RPC

    /// Runs one RPC call end to end: discovery (unless the nodes are known), requests
    /// (directed up to the threshold, else broadcast; in batches when asked), and reply
    /// collection until every addressed node answered or the timeout passed.
    /// `progress(done, total)` is called as replies arrive; `onResult` with each reply.
    public func call(
        _ call: RPCCall, options: RPCOptions,
        onDiscovered: @Sendable ([String]) -> Void = { _ in },
        progress: @Sendable (Int, Int) -> Void = { _, _ in },
        onResult: @Sendable (RPCResult) -> Void = { _ in }
    ) async throws -> RPCOutcome {
        let clock = ContinuousClock()
        let started = clock.now
        let startTime = Self.wallClock()
        let body = RPCRequestBody(agent: call.agent, action: call.action, caller: settings.security.callerID, data: requestData(call, options)).rubyValue

        // Which nodes, and is the filter re-checked by the nodes or replaced?
        var nodes: [String]
        var knownBeforeEncoding: Bool
        switch options.discovery {
        case .nodes(let list):
            nodes = list
            knownBeforeEncoding = true
        case .mc where call.filter.isIdentityOnly:
            nodes = call.filter.identities
            knownBeforeEncoding = true
        case .mc:
            nodes = try await discover(filter: call.filter, agent: call.agent, timeout: options.discoveryTimeout)
            knownBeforeEncoding = false
        }
        // A node named twice (`-I a -I a`, a repeated line in --nodes) gets one request: a second
        // copy would carry the same request id, which nodes refuse as a replay.
        var seen: Set<String> = []
        nodes = nodes.filter { seen.insert($0).inserted }
        nodes = NodeSelection.choose(nodes, limit: options.limit, seed: options.limitSeed)
        if options.batchSize != nil { knownBeforeEncoding = true }
        let discoveryTime = clock.now - started
        onDiscovered(nodes)

        var outcome = RPCOutcome(
            requestID: "", discovered: nodes, results: [], unexpected: [], startTime: startTime,
            discoveryTime: discoveryTime, blockTime: .zero, totalTime: .zero)
        guard !nodes.isEmpty else {
            outcome.totalTime = clock.now - started
            return outcome
        }
        let filter = knownBeforeEncoding ? Filter.directed(agent: call.agent) : call.filter.requiring(agent: call.agent)
        let timeout = options.timeout ?? .seconds(call.agentTimeout) + options.discoveryTimeout
        let expected = Set(nodes)
        let blockStart = clock.now
        progress(0, nodes.count)

        let batches: [[String]]
        if let size = options.batchSize, size > 0 {
            batches = stride(from: 0, to: nodes.count, by: size).map { Array(nodes[$0..<min($0 + size, nodes.count)]) }
        } else {
            batches = [nodes]
        }
        let requestID = Request.newRequestID()
        outcome.requestID = requestID
        var answered = Set<String>()
        for (index, batch) in batches.enumerated() {
            let addressing: Addressing =
                settings.directAddressing && (knownBeforeEncoding || batch.count <= settings.directAddressingThreshold)
                ? .directed(batch) : .broadcast
            let published = try await publish(agent: call.agent, body: body, filter: filter, addressing: addressing, requestID: requestID)
            let batchExpected = Set(batch)
            let deadline = clock.now + timeout
            await collect(published.replies, until: { deadline }) { reply in
                guard answered.insert(reply.senderID).inserted else { return true }
                let result = Self.result(reply, call: call)
                outcome.results.append(result)
                if !expected.contains(reply.senderID) { outcome.unexpected.append(reply.senderID) }
                onResult(result)
                progress(outcome.results.count, nodes.count)
                return !batchExpected.isSubset(of: answered)
            }
            await finish(published)
            if index < batches.count - 1 { try? await Task.sleep(for: options.batchSleep) }
        }
        outcome.blockTime = clock.now - blockStart
        outcome.totalTime = clock.now - started
        return outcome
    }

    /// `--no-results`: one broadcast with the full filter and `process_results: false`; returns the request id.
    public func fireAndForget(_ call: RPCCall) async throws -> String {
        var data = call.arguments
        data.set(.bool(false), forSymbol: "process_results")
        let body = RPCRequestBody(agent: call.agent, action: call.action, caller: settings.security.callerID, data: data).rubyValue
        let published = try await publish(agent: call.agent, body: body, filter: call.filter, addressing: .broadcast)
        await finish(published)
        return published.requestID
    }

    /// The request's `:data`: inputs plus `:process_results => true`, except in batches (rpc/client.rb).
    private func requestData(_ call: RPCCall, _ options: RPCOptions) -> RubyHash {
        var data = call.arguments
        if options.batchSize == nil { data.set(.bool(true), forSymbol: "process_results") }
        return data
    }

    private static func result(_ reply: Reply, call: RPCCall) -> RPCResult {
        if let body = RPCReplyBody(reply.body) {
            return RPCResult(
                sender: reply.senderID, agent: call.agent, action: call.action, statusCode: body.statusCode,
                statusMessage: body.statusMessage, data: body.data)
        }
        return RPCResult(
            sender: reply.senderID, agent: call.agent, action: call.action, statusCode: StatusCode.unknownError.rawValue,
            statusMessage: "Reply is not a SimpleRPC reply", data: RubyHash(symbolKeys: ["reply": reply.body]))
    }

    /// Consumes replies until `handle` returns false, the inbox is finished, or the deadline passes.
    private func collect(_ replies: ReplyInbox, until deadline: () -> ContinuousClock.Instant, handle: (Reply) -> Bool) async {
        while let reply = await replies.next(until: deadline()) {
            if !handle(reply) { return }
        }
    }

    private static func wallClock() -> Double {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        return Double(now.tv_sec) + Double(now.tv_nsec) / 1e9
    }
}

extension Duration {
    /// The duration in milliseconds, as a Double.
    public var milliseconds: Double {
        let (seconds, attoseconds) = components
        return Double(seconds) * 1000 + Double(attoseconds) / 1e15
    }
}

/// When to stop waiting for discovery answers without waiting the whole timeout: after
/// the latest answer, wait as long again as that answer took to arrive, and at least
/// 300 ms; never past the timeout. On a healthy network every node answers within a
/// few milliseconds of the others, so `chorus ping` ends 300 ms after the
/// last node instead of after a fixed 5 s.
struct QuietWindow {
    let start: ContinuousClock.Instant
    let hardDeadline: ContinuousClock.Instant
    private(set) var deadline: ContinuousClock.Instant
    static let minimum: Duration = .milliseconds(300)

    init(start: ContinuousClock.Instant, timeout: Duration) {
        self.start = start
        self.hardDeadline = start + timeout
        self.deadline = start + timeout
    }

    mutating func replied(at instant: ContinuousClock.Instant) {
        let took = instant - start
        deadline = min(hardDeadline, instant + max(Self.minimum, took))
    }
}
