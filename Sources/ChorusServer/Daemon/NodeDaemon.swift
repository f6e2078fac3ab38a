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

/// `chorus server`: connects to the broker, subscribes for every agent in every collective,
/// and runs the request pipeline for each message: admit (decode, verify, TTL, filter),
/// dispatch to the agent under its DDL timeout, reply to `reply-to` unless the caller
/// asked for no results. Each request runs in its own task; a slow agent never blocks
/// the others. Rejections are logged and counted, never fatal.
public final class NodeDaemon: Sendable {
    public let node: NodeState
    private let admission: RequestAdmission
    private let connector: any Connector
    private let client: STOMPClient
    private let logger: Logger
    private let replyTTL: Int
    private let audit: AuditLog?
    private let authorizer: RequestAuthorizer?
    private let inFlight = Atomic<Int>(0)
    private let stopping = Atomic<Bool>(false)

    public init(
        node: NodeState, security: any SecurityProvider, connector: any Connector,
        brokers: STOMPClientConfiguration, group: any EventLoopGroup, logger: Logger, replyTTL: Int = 60,
        limits: AdmissionLimits = .default, audit: AuditLog? = nil,
        authorizer: RequestAuthorizer? = nil
    ) {
        self.node = node
        self.admission = RequestAdmission(security: security, statistics: node.counters, collectives: node.collectives, limits: limits)
        self.audit = audit
        self.authorizer = authorizer
        self.connector = connector
        self.client = STOMPClient(configuration: brokers, group: group, logger: logger)
        self.logger = logger
        self.replyTTL = replyTTL
    }

    /// Connects (retrying with back-off until a broker answers), subscribes, and serves until `shutdown()`.
    /// `onServing` is called once, when the connection is up and every SUBSCRIBE has been written
    /// (`chorus bench` hosts thousands of nodes in one process and waits for each of them).
    public func run(onServing: @Sendable () -> Void = {}) async throws {
        for collective in node.collectives {
            for subscription in connector.nodeSubscriptions(identity: node.identity, collective: collective, agents: node.agentNames) {
                try await client.subscribe(destination: subscription.destination, id: subscription.id, headers: subscription.headerPairs)
            }
        }
        try await client.connect()
        logger.info("\(node.identity) serving agents \(node.agentNames.joined(separator: ", ")) in collectives \(node.collectives.joined(separator: ", "))")
        onServing()
        await withDiscardingTaskGroup { group in
            for await frame in client.frames {
                switch frame.command {
                case .message:
                    inFlight.wrappingAdd(1, ordering: .relaxed)
                    group.addTask {
                        await self.process(frame)
                        self.inFlight.wrappingSubtract(1, ordering: .relaxed)
                    }
                case .error:
                    logger.error("broker error: \(frame.headers["message"] ?? "") \(String(buffer: frame.body))")
                default:
                    continue
                }
            }
        }
        logger.info("\(node.identity) stopped")
    }

    /// Stops taking requests, lets running actions finish and send their replies (up to
    /// `grace` seconds), then disconnects. `run()` returns afterwards.
    public func shutdown(grace: Duration = .seconds(10)) async {
        guard !stopping.exchange(true, ordering: .relaxed) else { return }
        logger.info("shutting down: \(inFlight.load(ordering: .relaxed)) request(s) in flight")
        for collective in node.collectives {
            for subscription in connector.nodeSubscriptions(identity: node.identity, collective: collective, agents: node.agentNames) {
                try? await client.unsubscribe(id: subscription.id)
            }
        }
        let clock = ContinuousClock()
        let deadline = clock.now + grace
        while inFlight.load(ordering: .relaxed) > 0 && clock.now < deadline {
            try? await Task.sleep(for: .milliseconds(20))
        }
        await client.close()
    }

    /// Whether the daemon is connected to a broker now.
    public var isConnected: Bool {
        get async { await client.connectedEndpoint != nil }
    }

    private func process(_ frame: STOMPFrame) async {
        let bytes = Array(frame.body.readableBytesView)
        let now = Int(time(nil))
        switch admission.admit(bytes, now: now, node: node) {
        case .rejected(let error):
            logger.warning("rejected a message of \(bytes.count) bytes from \(frame.headers["mc_sender"] ?? "unknown sender"): \(error)")
        case .refused(let refusal):
            logger.warning("\(refusal.logMessage(sender: frame.headers["mc_sender"]))")
        case .expired(let request, let age):
            logger.warning("message \(request.requestID) from \(request.callerID)@\(request.senderID) is \(age) seconds old, TTL is \(request.ttl); ignored")
        case .wrongCollective(let request):
            logger.info("message \(request.requestID) is for collective \(request.collective), which this node is not in")
        case .notTargeted(let request):
            logger.debug("message \(request.requestID) does not pass the filters; ignored")
        case .badFilter(let request, let why):
            logger.warning("message \(request.requestID) has an unreadable filter (\(why)); ignored")
        case .unknownAgent(let request):
            logger.error("message \(request.requestID) is for agent \(request.agent), which is not loaded on this node")
        case .accepted(let request, let agent):
            if case .refused(let reply) = authorizer?.check(request, agent: agent, node: node) {
                if let reply { await sendReply(reply, to: request, from: agent.name, replyTo: frame.headers["reply-to"]) }
                return
            }
            await dispatch(request, to: agent, replyTo: frame.headers["reply-to"])
        }
    }

    private func dispatch(_ request: Request, to agent: any Agent, replyTo: String?) async {
        logger.debug("running \(agent.name) for \(request.callerID)@\(request.senderID) (\(request.requestID))")
        audit?.record(request, agent: agent)
        let timeout = max(1, agent.ddl.metadata.timeout)
        let body: RubyValue
        switch await AgentDispatcher.run(agent, request: request, node: node, timeout: .seconds(timeout)) {
        case .finished(nil):
            return
        case .finished(let value?):
            body = value
        case .timedOut:
            node.counters.timeouts.wrappingAdd(1, ordering: .relaxed)
            logger.warning("\(agent.name) did not finish within its \(timeout) s timeout (request \(request.requestID))")
            guard let reply = AgentDispatcher.timeoutReply(for: request, agent: agent.name, seconds: timeout) else { return }
            body = reply
        }
        await sendReply(body, to: request, from: agent.name, replyTo: replyTo)
    }

    private func sendReply(_ body: RubyValue, to request: Request, from agentName: String, replyTo: String?) async {
        guard let replyTo else {
            logger.warning("request \(request.requestID) has no reply-to header; no reply sent")
            return
        }
        let now = Int(time(nil))
        let reply = Reply(senderID: node.identity, requestID: request.requestID, senderAgent: agentName, messageTime: now, body: body)
        do {
            let bytes = try admission.security.encodeReply(reply)
            let message = connector.reply(to: replyTo, sender: node.identity, ttl: replyTTL, now: now)
            try await client.send(destination: message.destination, headers: message.headerPairs, body: ByteBuffer(bytes: bytes))
            node.counters.replies.wrappingAdd(1, ordering: .relaxed)
        } catch {
            logger.error("could not send the reply to \(request.requestID): \(error)")
        }
    }
}
