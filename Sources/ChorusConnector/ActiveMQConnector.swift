/// MCollective's `activemq` connector dialect (connector/activemq.rb): topics per agent for
/// broadcasts, one shared `nodes` queue with a JMS selector on `mc_identity` for directed
/// requests, a private reply queue per request, absolute `expires` in milliseconds.
public struct ActiveMQConnector: Connector {
    public let name = "activemq"
    public let defaultVirtualHost = "mcollective"

    public init() {}

    public func nodeSubscriptions(identity: String, collective: String, agents: [String]) -> [ConnectorSubscription] {
        var subscriptions = [
            ConnectorSubscription(
                destination: "/queue/\(collective).nodes",
                id: "\(collective)_directed_to_identity",
                headers: [.init("selector", "mc_identity = '\(identity)'")])
        ]
        for agent in agents {
            let destination = broadcastDestination(collective: collective, agent: agent)
            subscriptions.append(ConnectorSubscription(destination: destination, id: destination))
        }
        return subscriptions
    }

    public func replyDestination(collective: String, identity: String, agent: String, pid: Int32, sequence: Int) -> ReplyDestination {
        let queue = "/queue/\(collective).reply.\(identity)_\(pid).\(sequence)"
        return ReplyDestination(replyTo: queue, subscription: ConnectorSubscription(destination: queue, id: queue))
    }

    public func broadcastRequest(collective: String, agent: String, replyTo: String?, sender: String, ttl: Int, now: Int) -> OutgoingMessage {
        var headers = timing(ttl: ttl, now: now)
        if let replyTo { headers.append(.init("reply-to", replyTo)) }
        headers.append(.init("mc_sender", sender))
        return OutgoingMessage(destination: broadcastDestination(collective: collective, agent: agent), headers: headers)
    }

    public func directedRequest(collective: String, node: String, replyTo: String?, sender: String, ttl: Int, now: Int) -> OutgoingMessage {
        var headers = timing(ttl: ttl, now: now)
        if let replyTo { headers.append(.init("reply-to", replyTo)) }
        headers.append(.init("mc_identity", node))
        headers.append(.init("mc_sender", sender))
        return OutgoingMessage(destination: "/queue/\(collective).nodes", headers: headers)
    }

    public func reply(to replyTo: String, sender: String, ttl: Int, now: Int) -> OutgoingMessage {
        var headers = timing(ttl: ttl, now: now)
        headers.append(.init("mc_sender", sender))
        return OutgoingMessage(destination: replyTo, headers: headers)
    }

    private func broadcastDestination(collective: String, agent: String) -> String {
        "/topic/\(collective).\(agent).agent"
    }

    /// `timestamp` and `expires` (absolute, ms): the message lives ttl + 10 s (activemq.rb headers_for).
    private func timing(ttl: Int, now: Int) -> [OutgoingMessage.Header] {
        [.init("timestamp", String(now * 1000)), .init("expires", String((now + ttl + 10) * 1000))]
    }
}
