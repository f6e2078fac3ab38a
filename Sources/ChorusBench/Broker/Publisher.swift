import NIOCore
import STOMP

/// Sends stamped messages to one destination on one connection as fast as its
/// ``DeliveryCredit`` allows (or, paced, one every `interval` within that window), until it
/// is stopped. Lives on its connection's event loop:
/// ``pump()`` writes up to a batch, flushes once, and either goes on (yielding the loop to the
/// other connections between batches) or parks until receivers open the window again.
final class Publisher {
    private let channel: any Channel
    private let template: SendFrameTemplate
    private let credit: DeliveryCredit
    private let number: Int
    private let run: UInt32
    private var sequence = 0
    private var stopped = false
    private var deadline: Int64 = .max
    private var started: Int64 = 0
    /// Paced publishing: nanoseconds between messages; nil = as fast as the window allows.
    private let interval: Int64?
    private var timerArmed = false

    /// Messages written per turn of the event loop before yielding to other channels.
    private static let batch = 64

    init(
        channel: any Channel, destination: String, credit: DeliveryCredit, number: Int, run: UInt32, payloadBytes: Int,
        interval: Int64? = nil
    ) {
        self.interval = interval
        self.channel = channel
        template = SendFrameTemplate(destination: destination, bodyBytes: payloadBytes)
        self.credit = credit
        self.number = number
        self.run = run
    }

    /// Starts publishing until the monotonic time `until` (nanoseconds).
    func start(until: Int64) {
        deadline = until
        started = MonotonicClock.nanoseconds()
        pump()
    }

    /// Stops publishing; returns how many messages were sent.
    func stop() -> Int {
        stopped = true
        return sequence
    }

    func pump() {
        guard !stopped else { return }
        let now = MonotonicClock.nanoseconds()
        if now >= deadline {
            stopped = true
            return
        }
        // Paced: only the messages due by now (the schedule never runs ahead).
        var allowed = Self.batch
        if let interval {
            let due = Int((now - started) / interval) + 1 - sequence
            if due <= 0 {
                armTimer(at: started + Int64(sequence) * interval)
                return
            }
            allowed = min(allowed, due)
        }
        var written = 0
        var parked = false
        while written < allowed {
            if !credit.mayPublish, credit.park() {
                parked = true
                break
            }
            let stamp = BenchPayload(run: run, publisher: number, sequence: sequence, sentNanoseconds: MonotonicClock.nanoseconds())
            channel.write(template.frame(stamp, allocator: channel.allocator), promise: nil)
            sequence += 1
            credit.recordSent()
            written += 1
        }
        if written > 0 { channel.flush() }
        guard !parked else { return }
        if let interval {
            armTimer(at: started + Int64(sequence) * interval)
        } else {
            channel.eventLoop.assumeIsolated().execute { self.pump() }
        }
    }

    /// Pumps again when the next paced message is due (once, however often it is asked).
    private func armTimer(at due: Int64) {
        guard !timerArmed else { return }
        timerArmed = true
        let delay = max(0, due - MonotonicClock.nanoseconds())
        channel.eventLoop.assumeIsolated().scheduleTask(in: .nanoseconds(delay)) {
            self.timerArmed = false
            self.pump()
        }
    }
}
