import NIOCore
import STOMP

/// What one receiving connection saw during a scenario (a value, collected at the end).
public struct ReceiverTally: Sendable {
    /// MESSAGE frames with this run's stamp, duplicates included.
    public var received = 0
    /// Messages whose sequence was not above the last one seen from the same publisher
    /// (delivered twice, or out of order).
    public var duplicates = 0
    /// MESSAGE frames without this run's stamp (left over from another run, or garbled).
    public var foreign = 0
    /// Send-to-receipt latency of every stamped message.
    public var latencies = LatencySamples()
    /// ``MonotonicClock`` time of the last stamped message (0 = none).
    public var lastReceivedNanoseconds: Int64 = 0

    public init() {}

    /// Messages received once each.
    public var unique: Int { received - duplicates }
}

/// Counts and times the MESSAGE frames of one connection: parses the body's ``BenchPayload``,
/// records the latency, checks the publisher's sequence, and credits the publisher's
/// ``DeliveryCredit`` so it may send more. Lives on the connection's event loop.
final class DeliveryReceiver {
    private let run: UInt32
    private let credits: [DeliveryCredit]
    private var lastSequence: [Int]
    private(set) var tally = ReceiverTally()

    /// - Parameters:
    ///   - run: the run id stamped in this run's bodies.
    ///   - credits: the flow control of every publisher whose messages this connection may
    ///     receive, indexed by publisher number.
    ///   - expectedMessages: a hint to pre-size the latency array.
    init(run: UInt32, credits: [DeliveryCredit], expectedMessages: Int) {
        self.run = run
        self.credits = credits
        lastSequence = Array(repeating: -1, count: credits.count)
        tally.latencies = LatencySamples(reservingCapacity: expectedMessages)
    }

    func receive(_ frame: STOMPFrame) {
        let now = MonotonicClock.nanoseconds()
        guard let stamp = BenchPayload(body: frame.body), stamp.run == run, credits.indices.contains(stamp.publisher) else {
            tally.foreign += 1
            return
        }
        tally.received += 1
        tally.latencies.record(nanoseconds: now - stamp.sentNanoseconds)
        tally.lastReceivedNanoseconds = now
        if stamp.sequence > lastSequence[stamp.publisher] {
            lastSequence[stamp.publisher] = stamp.sequence
        } else {
            tally.duplicates += 1
        }
        credits[stamp.publisher].recordDelivery()
    }
}
