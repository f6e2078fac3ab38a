import ChorusCore
import Synchronization

/// Replies for one request, buffered until the collector takes them. `next(until:)`
/// waits for the next reply or the deadline, whichever comes first.
final class ReplyInbox: Sendable {
    private struct State {
        var buffer: [Reply] = []
        var head = 0
        var waiter: CheckedContinuation<Reply?, Never>?
        var waiterGeneration = 0
        var finished = false
    }

    private let state = Mutex(State())

    func yield(_ reply: Reply) {
        let waiter: CheckedContinuation<Reply?, Never>? = state.withLock { state in
            if state.finished { return nil }
            if let waiter = state.waiter {
                state.waiter = nil
                return waiter
            }
            state.buffer.append(reply)
            return nil
        }
        waiter?.resume(returning: reply)
    }

    func finish() {
        let waiter: CheckedContinuation<Reply?, Never>? = state.withLock { state in
            state.finished = true
            defer { state.waiter = nil }
            return state.waiter
        }
        waiter?.resume(returning: nil)
    }

    /// The next reply, or nil at the deadline or when finished.
    func next(until deadline: ContinuousClock.Instant) async -> Reply? {
        let ready: Reply?? = state.withLock { state in
            if state.head < state.buffer.count {
                let reply = state.buffer[state.head]
                state.head += 1
                if state.head == state.buffer.count {
                    state.buffer.removeAll(keepingCapacity: true)
                    state.head = 0
                }
                return .some(reply)
            }
            return state.finished ? .some(nil) : nil
        }
        if let ready { return ready }
        if ContinuousClock.now >= deadline { return nil }
        return await withCheckedContinuation { continuation in
            let generation: Int? = state.withLock { state in
                if state.head < state.buffer.count {
                    let reply = state.buffer[state.head]
                    state.head += 1
                    continuation.resume(returning: reply)
                    return nil
                }
                if state.finished {
                    continuation.resume(returning: nil)
                    return nil
                }
                state.waiterGeneration += 1
                state.waiter = continuation
                return state.waiterGeneration
            }
            guard let generation else { return }
            Task {
                try? await Task.sleep(until: deadline, clock: .continuous)
                self.expire(generation)
            }
        }
    }

    private func expire(_ generation: Int) {
        let waiter: CheckedContinuation<Reply?, Never>? = state.withLock { state in
            guard state.waiterGeneration == generation, let waiter = state.waiter else { return nil }
            state.waiter = nil
            return waiter
        }
        waiter?.resume(returning: nil)
    }
}

/// Routes decoded replies to the request waiting for them, by request id. Replies for
/// requests nobody waits for any more (late discovery replies after a limit, say) are
/// counted and dropped, as MCollective's client does.
final class ReplyRouter: Sendable {
    private let waiting = Mutex<[String: ReplyInbox]>([:])
    private let orphans = Atomic<Int>(0)

    /// Starts collecting replies for `requestID`.
    func register(_ requestID: String) -> ReplyInbox {
        let inbox = ReplyInbox()
        waiting.withLock { $0[requestID] = inbox }
        return inbox
    }

    func finish(_ requestID: String) {
        waiting.withLock { $0.removeValue(forKey: requestID) }?.finish()
    }

    func finishAll() {
        let all = waiting.withLock { table in
            defer { table.removeAll() }
            return Array(table.values)
        }
        for inbox in all { inbox.finish() }
    }

    /// Hands a reply to its request; false when nobody waits for that request id.
    @discardableResult
    func deliver(_ reply: Reply) -> Bool {
        guard let inbox = waiting.withLock({ $0[reply.requestID] }) else {
            orphans.wrappingAdd(1, ordering: .relaxed)
            return false
        }
        inbox.yield(reply)
        return true
    }

    var orphanCount: Int { orphans.load(ordering: .relaxed) }
}
