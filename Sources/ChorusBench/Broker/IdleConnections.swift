import NIOCore

/// The idle-connection measurement: open many STOMP connections the way nodes hold them
/// between requests (CONNECTed, one subscription each, heart-beats off), and read the broker
/// process's resident memory before, with them open, and after they closed. The difference
/// divided by the connections is what an idle node costs the broker.
struct IdleConnections: Sendable {
    var count: Int
    /// The topic every connection subscribes to.
    var destination: String
    /// Pause before each memory reading, so the broker finishes the work in progress.
    var settleSeconds: Double

    func measure(_ target: BrokerTarget, group: any EventLoopGroup, connections settings: ConnectionSettings) async -> IdleOutcome {
        var outcome = IdleOutcome(requested: count)
        try? await Task.sleep(for: .milliseconds(Int(settleSeconds * 1000)))
        let before = target.usage()
        let plans = (0..<count).map { ConnectionPlan(subscription: (destination, "idle-\($0)"), receiver: nil) }
        let started = MonotonicClock.nanoseconds()
        let opened = await ConnectionOpener.open(plans, to: target, group: group, settings: settings)
        outcome.openSeconds = Double(MonotonicClock.nanoseconds() - started) / 1e9
        outcome.opened = opened.connections.count
        outcome.handshake = opened.handshakes.summary
        if let error = opened.firstError {
            outcome.error = "after \(opened.connections.count) of \(count) connections: \(error)"
        }
        try? await Task.sleep(for: .milliseconds(Int(settleSeconds * 1000)))
        let open = target.usage()
        var closedEarly = 0
        for connection in opened.connections where !connection.channel.isActive { closedEarly += 1 }
        if closedEarly > 0, outcome.error == nil {
            outcome.error = "\(closedEarly) idle connections were closed by the broker"
        }
        await ConnectionOpener.close(opened.connections, concurrency: settings.concurrency)
        try? await Task.sleep(for: .milliseconds(Int(settleSeconds * 1000)))
        let after = target.usage()
        if let before, let open {
            outcome.residentBefore = before.residentBytes
            outcome.residentOpen = open.residentBytes
            outcome.brokerCPUSeconds = open.cpuSeconds - before.cpuSeconds
        }
        outcome.residentAfterClose = after?.residentBytes
        return outcome
    }
}

/// What ``IdleConnections`` measured.
struct IdleOutcome: Sendable {
    var requested: Int
    var opened = 0
    /// Time to open all of them (connect, CONNECTED, SUBSCRIBE receipted).
    var openSeconds = 0.0
    /// Per-connection handshake time.
    var handshake = LatencySummary.empty
    var residentBefore: Int?
    var residentOpen: Int?
    var residentAfterClose: Int?
    /// Broker CPU from before opening until all were open and settled.
    var brokerCPUSeconds: Double?
    var error: String?

    /// Resident bytes the broker gained per open connection.
    var bytesPerConnection: Double? {
        guard let residentBefore, let residentOpen, opened > 0 else { return nil }
        return Double(residentOpen - residentBefore) / Double(opened)
    }
}
