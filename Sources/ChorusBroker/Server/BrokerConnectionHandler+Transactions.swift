import STOMP

/// BEGIN, COMMIT and ABORT (docs/BROKER.md, Transactions): SEND, ACK and NACK frames with a
/// `transaction` header wait in the connection's ``TransactionState`` until COMMIT applies them
/// in order; ABORT, or the connection closing, discards them.
extension BrokerConnectionHandler {
    func begin(_ frame: STOMPFrame) {
        guard let name = transactionName(of: frame) else { return }
        do {
            try transactions.begin(name)
        } catch {
            transactionError(error, frame: frame)
            return
        }
        router.connectionCounters.transactionsOpenCurrent += 1
        receipt(for: frame)
    }

    func commit(_ frame: STOMPFrame) {
        guard let name = transactionName(of: frame) else { return }
        let held: [STOMPFrame]
        do {
            held = try transactions.commit(name)
        } catch {
            transactionError(error, frame: frame)
            return
        }
        router.connectionCounters.transactionsOpenCurrent -= 1
        router.connectionCounters.transactionsCommitted += 1
        for frame in held {
            guard phase == .connected else { return }
            switch frame.command {
            case .send: send(frame)
            case .ack, .nack: applyCommitted(acknowledgement: frame)
            default: break
            }
        }
        receipt(for: frame)
    }

    func abort(_ frame: STOMPFrame) {
        guard let name = transactionName(of: frame) else { return }
        do {
            try transactions.abort(name)
        } catch {
            transactionError(error, frame: frame)
            return
        }
        router.connectionCounters.transactionsOpenCurrent -= 1
        router.connectionCounters.transactionsAborted += 1
        receipt(for: frame)
    }

    /// Holds a SEND until its transaction commits, after the checks a SEND gets at once: the
    /// destination must be usable (a declared exchange, not `/temp-queue/`).
    func holdSend(_ frame: STOMPFrame, to destination: Destination, in transaction: String) {
        switch destination.kind {
        case .exchange where router.core.exchangeType(named: destination.name) == nil:
            routingError(.exchangeNotFound(destination.name), frame: frame)
        case .temporaryQueue:
            routingError(.invalidDestination(destination.path), frame: frame)
        default:
            hold(frame, in: transaction)
        }
    }

    /// Holds `frame` in `transaction` and answers its receipt now, as ActiveMQ does.
    func hold(_ frame: STOMPFrame, in transaction: String) {
        do {
            try transactions.hold(frame, in: transaction)
        } catch {
            transactionError(error, frame: frame)
            return
        }
        receipt(for: frame)
    }

    /// Aborts every open transaction because the connection is going; returns how many there were.
    func abandonTransactions() -> Int {
        let aborted = transactions.abortAll()
        if aborted > 0 { logger.debug("client \(id): \(aborted) open transaction(s) aborted by the disconnect") }
        return aborted
    }

    /// The frame's `transaction` header; nil after sending an ERROR.
    private func transactionName(of frame: STOMPFrame) -> String? {
        guard let name = frame.headers["transaction"] else {
            protocolError(
                "Missing transaction", detail: "\(frame.command.rawValue) must include a 'transaction' header.",
                frame: frame)
            return nil
        }
        return name
    }

    private func transactionError(_ error: TransactionError, frame: STOMPFrame) {
        switch error {
        case .unknown:
            protocolError("Unknown transaction", detail: "\(frame.command.rawValue): \(error).", frame: frame)
        case .alreadyOpen:
            protocolError("Transaction already started", detail: "BEGIN: \(error).", frame: frame)
        case .tooManyTransactions:
            router.connectionCounters.transactionLimitExceeded += 1
            protocolError("Too many transactions", detail: "BEGIN: \(error).", frame: frame, countsAsProtocolError: false)
        case .tooManyFrames:
            router.connectionCounters.transactionFrameLimitExceeded += 1
            protocolError(
                "Transaction too large", detail: "\(frame.command.rawValue): \(error).", frame: frame,
                countsAsProtocolError: false)
        }
    }
}
