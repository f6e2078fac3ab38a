import NIOCore

/// How the generator opens many connections: how many handshakes at once, from which local
/// addresses, and how long each may take.
public struct ConnectionSettings: Sendable {
    /// CONNECT (and SUBSCRIBE) handshakes in progress at once; more would overflow the
    /// brokers' listen backlogs (RabbitMQ's is 128) and time out instead of queueing.
    public var concurrency: Int
    /// Local addresses connections are spread over, round robin (e.g. 127.0.0.2 …); empty =
    /// let the kernel choose (127.0.0.1 for a loopback broker). Each address has its own
    /// ephemeral port range, so they raise the number of connections to one broker port.
    public var sourceAddresses: [String]
    /// Longest wait for one TCP connect, CONNECTED or RECEIPT.
    public var timeout: TimeAmount

    public init(concurrency: Int = 100, sourceAddresses: [String] = [], timeout: TimeAmount = .seconds(30)) {
        self.concurrency = max(1, concurrency)
        self.sourceAddresses = sourceAddresses
        self.timeout = timeout
    }
}

/// One connection to open: where it subscribes, and whether its deliveries are counted.
struct ConnectionPlan: Sendable {
    var subscription: (destination: String, id: String)?
    var receiver: ReceiverPlan?
}

/// Opens connections in bulk, at most ``ConnectionSettings/concurrency`` at a time.
enum ConnectionOpener {
    /// The outcome of opening a batch: the connections that are up (in plan order, up to the
    /// first failure when `stopOnFailure`), how long each handshake took, and the first error.
    struct Outcome: Sendable {
        var connections: [BenchConnection]
        var handshakes: LatencySamples
        var failures: Int
        var firstError: String?
    }

    static func open(
        _ plans: [ConnectionPlan], to target: BrokerTarget, group: any EventLoopGroup, settings: ConnectionSettings,
        stopOnFailure: Bool = true
    ) async -> Outcome {
        var opened = [BenchConnection?](repeating: nil, count: plans.count)
        var handshakes = LatencySamples(reservingCapacity: plans.count)
        var failures = 0
        var firstError: String?
        await withTaskGroup(of: (Int, Result<BenchConnection, any Error>, Int64).self) { group_ in
            var next = 0
            func launch() {
                let index = next
                next += 1
                let plan = plans[index]
                let source = settings.sourceAddresses.isEmpty ? nil : settings.sourceAddresses[index % settings.sourceAddresses.count]
                group_.addTask {
                    let started = MonotonicClock.nanoseconds()
                    do {
                        let connection = try await BenchConnection.open(to: target, group: group, source: source, timeout: settings.timeout)
                        if let subscription = plan.subscription {
                            do {
                                try await connection.subscribe(
                                    destination: subscription.destination, id: subscription.id, receiver: plan.receiver,
                                    timeout: settings.timeout)
                            } catch {
                                await connection.close()
                                throw error
                            }
                        }
                        return (index, .success(connection), MonotonicClock.nanoseconds() - started)
                    } catch {
                        return (index, .failure(error), MonotonicClock.nanoseconds() - started)
                    }
                }
            }
            while next < plans.count && next < settings.concurrency { launch() }
            while let (index, result, elapsed) = await group_.next() {
                switch result {
                case .success(let connection):
                    opened[index] = connection
                    handshakes.record(nanoseconds: elapsed)
                case .failure(let error):
                    failures += 1
                    if firstError == nil { firstError = "\(error)" }
                }
                if next < plans.count && !(stopOnFailure && failures > 0) { launch() }
            }
        }
        return Outcome(connections: opened.compactMap { $0 }, handshakes: handshakes, failures: failures, firstError: firstError)
    }

    /// Closes connections, at most `concurrency` at a time.
    static func close(_ connections: [BenchConnection], concurrency: Int) async {
        await withTaskGroup(of: Void.self) { group in
            var next = 0
            for _ in 0..<min(concurrency, connections.count) {
                let connection = connections[next]
                next += 1
                group.addTask { await connection.close() }
            }
            while await group.next() != nil {
                if next < connections.count {
                    let connection = connections[next]
                    next += 1
                    group.addTask { await connection.close() }
                }
            }
        }
    }
}
