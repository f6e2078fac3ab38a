import Synchronization

/// End-to-end flow control for one publisher: it may have at most `window` messages in
/// flight, where a message is in flight until every one of its `receivers` has received it.
/// So the rate a scenario reports is what was delivered, not what sat in a socket or broker
/// buffer, and no broker is pushed into dropping by an unbounded backlog.
///
/// Shared between the publisher's event loop and the receivers' loops, lock-free: receivers
/// count deliveries; the publisher counts what it sent and parks when the window is full; a
/// receiver that brings the deliveries in flight down to half the window wakes it (the
/// hysteresis keeps wake-ups to about one per half window).
public final class DeliveryCredit: Sendable {
    /// How many receivers get a copy of each message (subscribers of a topic; 1 for a queue).
    public let receivers: Int
    /// Most messages in flight.
    public let window: Int
    private let sentCount = Atomic<Int>(0)
    private let deliveredCount = Atomic<Int>(0)
    private let parked = Atomic<Bool>(false)
    private let wakeAction = Mutex<(@Sendable () -> Void)?>(nil)

    public init(receivers: Int, window: Int) {
        precondition(receivers > 0 && window > 0)
        self.receivers = receivers
        self.window = window
    }

    /// Messages sent so far.
    public var sent: Int { sentCount.load(ordering: .acquiring) }
    /// Deliveries so far (copies received, duplicates included).
    public var delivered: Int { deliveredCount.load(ordering: .acquiring) }
    /// Deliveries still expected for what was sent.
    public var outstanding: Int { sent * receivers - delivered }

    /// Installs what wakes the parked publisher (it hops to the publisher's event loop).
    public func onWake(_ action: @escaping @Sendable () -> Void) {
        wakeAction.withLock { $0 = action }
    }

    // MARK: publisher side (its event loop only)

    /// Whether one more message may be sent now.
    public var mayPublish: Bool {
        sentCount.load(ordering: .relaxed) * receivers - deliveredCount.load(ordering: .sequentiallyConsistent) < window * receivers
    }

    /// Records `count` more messages sent.
    public func recordSent(_ count: Int = 1) {
        sentCount.add(count, ordering: .releasing)
    }

    /// Parks the publisher: returns true when it must wait for a wake-up, false when the
    /// window opened meanwhile and it may go on at once.
    public func park() -> Bool {
        parked.store(true, ordering: .sequentiallyConsistent)
        guard mayPublish else { return true }
        // Deliveries arrived between the check and the store: take the flag back unless a
        // receiver already did (then its wake-up is on the way, and this publisher must wait for it).
        return !parked.exchange(false, ordering: .sequentiallyConsistent)
    }

    // MARK: receiver side (any event loop)

    /// Records one delivery of this publisher's message; wakes the publisher when it is parked
    /// and the deliveries in flight fell to half the window.
    public func recordDelivery() {
        let delivered = deliveredCount.add(1, ordering: .sequentiallyConsistent).newValue
        guard parked.load(ordering: .sequentiallyConsistent) else { return }
        let inFlight = sentCount.load(ordering: .acquiring) * receivers - delivered
        guard inFlight * 2 <= window * receivers, parked.exchange(false, ordering: .sequentiallyConsistent) else { return }
        wakeAction.withLock { $0 }?()
    }
}
