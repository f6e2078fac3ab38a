/// MCollective's `rabbitmq` connector dialect (connector/rabbitmq.rb `make_target`,
/// `target_for`): exchanges instead of topics and queues. Broadcasts go to the topic exchange
/// `<collective>_broadcast` with the agent as routing key, directed requests to the direct
/// exchange `<collective>_directed` with the node's identity as routing key, and replies to
/// a `/temp-queue/` RabbitMQ creates for the client's connection, so the client never
/// subscribes for them. Messages expire after ttl + 10 seconds (`expiration`, relative ms).
public struct RabbitMQConnector: Connector {
    public let name = "rabbitmq"
    /// `plugin.rabbitmq.vhost` defaults to `/` (rabbitmq.rb).
    public let defaultVirtualHost = "/"

    public init() {}

    /// The directed subscription, then one broadcast subscription per agent. Broadcast
    /// SUBSCRIBE frames carry a `reply-to` header as MCollective's do (an artefact of
    /// `make_target`; brokers ignore it).
    public func nodeSubscriptions(identity: String, collective: String, agents: [String]) -> [ConnectorSubscription] {
        var subscriptions = [
            ConnectorSubscription(
                destination: directedDestination(collective: collective, node: identity),
                id: "\(collective)_\(identity)_directed_to_identity")
        ]
        for agent in agents {
            subscriptions.append(
                ConnectorSubscription(
                    destination: broadcastDestination(collective: collective, agent: agent),
                    id: "\(collective)_broadcast_\(agent)",
                    headers: [.init("reply-to", Self.replyQueue(agent: agent))]))
        }
        return subscriptions
    }

    /// `/temp-queue/mcollective_reply_<agent>`: RabbitMQ creates the queue when the request is
    /// sent, subscribes the sending connection to it and rewrites `reply-to` to the queue's
    /// real name (`/reply-queue/amq.gen-…`), so there is nothing to subscribe to.
    public func replyDestination(collective: String, identity: String, agent: String, pid: Int32, sequence: Int) -> ReplyDestination {
        ReplyDestination(replyTo: Self.replyQueue(agent: agent), subscription: nil)
    }

    public func broadcastRequest(collective: String, agent: String, replyTo: String?, sender: String, ttl: Int, now: Int) -> OutgoingMessage {
        OutgoingMessage(
            destination: broadcastDestination(collective: collective, agent: agent),
            headers: requestHeaders(replyTo: replyTo ?? Self.replyQueue(agent: agent), sender: sender, ttl: ttl))
    }

    public func directedRequest(collective: String, node: String, replyTo: String?, sender: String, ttl: Int, now: Int) -> OutgoingMessage {
        var headers: [OutgoingMessage.Header] = []
        if let replyTo { headers.append(.init("reply-to", replyTo)) }
        headers.append(contentsOf: Self.timing(ttl: ttl, sender: sender))
        return OutgoingMessage(destination: directedDestination(collective: collective, node: node), headers: headers)
    }

    /// To the request's `reply-to` as the node received it (`/reply-queue/amq.gen-…`).
    public func reply(to replyTo: String, sender: String, ttl: Int, now: Int) -> OutgoingMessage {
        OutgoingMessage(destination: replyTo, headers: Self.timing(ttl: ttl, sender: sender))
    }

    private func requestHeaders(replyTo: String, sender: String, ttl: Int) -> [OutgoingMessage.Header] {
        [.init("reply-to", replyTo)] + Self.timing(ttl: ttl, sender: sender)
    }

    private func broadcastDestination(collective: String, agent: String) -> String {
        "/exchange/\(collective)_broadcast/\(agent)"
    }

    private func directedDestination(collective: String, node: String) -> String {
        "/exchange/\(collective)_directed/\(node)"
    }

    static func replyQueue(agent: String) -> String {
        "/temp-queue/mcollective_reply_\(agent)"
    }

    /// `expiration` (relative, ms: the message lives ttl + 10 s) and `mc_sender`, in target_for's order.
    private static func timing(ttl: Int, sender: String) -> [OutgoingMessage.Header] {
        [.init("expiration", String((ttl + 10) * 1000)), .init("mc_sender", sender)]
    }
}
