import NIOCore

/// One message-flow measurement against one broker: publishers sending stamped messages to
/// destinations, receiving connections subscribed to them, each publisher bounded by its
/// ``DeliveryCredit`` window, for a fixed time; then a drain until every message sent has
/// arrived or nothing has arrived for a while (what is still missing then is lost).
///
/// Fan-out, many-to-one and point-to-point throughput are all this, with different shapes
/// (``BrokerScenario``).
struct MessageFlow: Sendable {
    /// One publisher: its destination, how many receivers get each message, its window.
    struct PublisherSpec: Sendable {
        var destination: String
        var receivers: Int
        var window: Int
    }

    var publishers: [PublisherSpec]
    /// One receiving connection per entry, subscribed to that destination.
    var subscriptions: [String]
    /// How long publishers publish.
    var seconds: Double
    /// How long the drain waits without any delivery before it declares the rest lost.
    var drainSeconds: Double
    var payloadBytes: Int
    var run: UInt32
    /// Paced publishing: nanoseconds between one publisher's messages; nil = saturate.
    var interval: Int64? = nil

    /// Runs the flow against `target`; connection problems are reported in the outcome's
    /// `error`, not thrown.
    func measure(_ target: BrokerTarget, group: any EventLoopGroup, connections settings: ConnectionSettings) async -> FlowOutcome {
        var outcome = FlowOutcome()
        let credits = publishers.map { DeliveryCredit(receivers: $0.receivers, window: $0.window) }
        let perSubscriber = Int(min(4_000_000, seconds * 200_000)) / max(1, subscriptions.count)
        let receiverPlans = subscriptions.enumerated().map { index, destination in
            ConnectionPlan(
                subscription: (destination, "bench-\(index)"),
                receiver: ReceiverPlan(run: run, credits: credits, expectedMessages: perSubscriber))
        }
        let receivers = await ConnectionOpener.open(receiverPlans, to: target, group: group, settings: settings)
        guard receivers.failures == 0 else {
            await ConnectionOpener.close(receivers.connections, concurrency: settings.concurrency)
            outcome.error = "opening \(subscriptions.count) subscribers: \(receivers.firstError ?? "failed")"
            return outcome
        }
        let senders = await ConnectionOpener.open(
            publishers.map { _ in ConnectionPlan(subscription: nil, receiver: nil) }, to: target, group: group, settings: settings)
        let everyone = receivers.connections + senders.connections
        guard senders.failures == 0 else {
            await ConnectionOpener.close(everyone, concurrency: settings.concurrency)
            outcome.error = "opening \(publishers.count) publishers: \(senders.firstError ?? "failed")"
            return outcome
        }

        var running: [NIOLoopBound<Publisher>] = []
        for (index, connection) in senders.connections.enumerated() {
            let spec = publishers[index]
            let credit = credits[index]
            let channel = connection.channel
            let payloadBytes = self.payloadBytes
            let run = self.run
            let interval = self.interval
            guard let bound = try? await channel.eventLoop.submit({
                let publisher = Publisher(
                    channel: channel, destination: spec.destination, credit: credit, number: index, run: run,
                    payloadBytes: payloadBytes, interval: interval)
                let bound = NIOLoopBound(publisher, eventLoop: channel.eventLoop)
                credit.onWake { channel.eventLoop.execute { bound.value.pump() } }
                return bound
            }).get() else {
                outcome.error = "publisher \(index)'s connection closed before the start"
                await ConnectionOpener.close(everyone, concurrency: settings.concurrency)
                return outcome
            }
            running.append(bound)
        }

        let before = target.usage()
        let start = MonotonicClock.nanoseconds()
        let deadline = start + Int64(seconds * 1_000_000_000)
        for (index, bound) in running.enumerated() {
            senders.connections[index].channel.eventLoop.execute { bound.value.start(until: deadline) }
        }
        try? await Task.sleep(for: .nanoseconds(max(0, deadline - MonotonicClock.nanoseconds())))
        for (index, bound) in running.enumerated() {
            outcome.sent += (try? await senders.connections[index].channel.eventLoop.submit { bound.value.stop() }.get()) ?? 0
        }

        // Drain: until nothing is outstanding, or no delivery for drainSeconds.
        var lastProgress = MonotonicClock.nanoseconds()
        var lastDelivered = -1
        while true {
            let delivered = credits.reduce(0) { $0 + $1.delivered }
            if credits.allSatisfy({ $0.outstanding <= 0 }) { break }
            let now = MonotonicClock.nanoseconds()
            if delivered != lastDelivered {
                lastDelivered = delivered
                lastProgress = now
            } else if Double(now - lastProgress) / 1e9 >= drainSeconds {
                break
            }
            try? await Task.sleep(for: .milliseconds(10))
        }
        let after = target.usage()

        var latencies = LatencySamples()
        var lastReceived = start
        for connection in receivers.connections {
            guard let tally = try? await connection.tally() else { continue }
            outcome.received += tally.unique
            outcome.duplicates += tally.duplicates
            outcome.foreign += tally.foreign
            latencies.merge(tally.latencies)
            lastReceived = max(lastReceived, tally.lastReceivedNanoseconds)
        }
        for connection in everyone {
            if let failure = await connection.failure(), outcome.error == nil {
                outcome.error = failure
            }
        }
        await ConnectionOpener.close(everyone, concurrency: settings.concurrency)

        outcome.expected = zip(credits, publishers).reduce(0) { $0 + $1.0.sent * $1.1.receivers }
        outcome.lost = max(0, outcome.expected - outcome.received)
        outcome.seconds = Double(lastReceived - start) / 1e9
        outcome.latency = latencies.summary
        if let before, let after {
            outcome.brokerCPUSeconds = after.cpuSeconds - before.cpuSeconds
            outcome.brokerResidentBytes = after.residentBytes
        }
        return outcome
    }
}

/// What a ``MessageFlow`` measured.
struct FlowOutcome: Sendable {
    var sent = 0
    /// Deliveries that should have happened: messages sent × receivers each.
    var expected = 0
    /// Deliveries that happened, each message once per receiver.
    var received = 0
    var duplicates = 0
    var foreign = 0
    var lost = 0
    /// From the first send to the last delivery.
    var seconds = 0.0
    var latency = LatencySummary.empty
    var brokerCPUSeconds: Double?
    var brokerResidentBytes: Int?
    var error: String?

    /// Deliveries per second over ``seconds``.
    var deliveriesPerSecond: Double { seconds > 0 ? Double(received) / seconds : 0 }
}
