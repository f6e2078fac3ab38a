import STOMP

/// One connection's open STOMP transactions (BEGIN … COMMIT or ABORT) and the frames each
/// holds back, in order. Pure: the connection handler applies what ``commit(_:)`` returns.
///
/// Held frames lose their `transaction` and `receipt` headers (the broker answered the receipt
/// when it took the frame), so applying one at COMMIT is applying a plain frame.
public struct TransactionState {
    /// Most transactions open at once (`limits.max_transactions_per_connection`).
    public let maxTransactions: Int
    /// Most frames one transaction holds (`limits.max_frames_per_transaction`).
    public let maxFramesPerTransaction: Int

    private var open: [String: [STOMPFrame]] = [:]

    public init(maxTransactions: Int, maxFramesPerTransaction: Int) {
        self.maxTransactions = max(1, maxTransactions)
        self.maxFramesPerTransaction = max(1, maxFramesPerTransaction)
    }

    /// Transactions open now.
    public var openCount: Int { open.count }

    /// Whether `transaction` is open.
    public func isOpen(_ transaction: String) -> Bool { open[transaction] != nil }

    /// Opens `transaction`.
    /// - Throws: ``TransactionError/alreadyOpen(_:)``, ``TransactionError/tooManyTransactions(limit:)``.
    public mutating func begin(_ transaction: String) throws(TransactionError) {
        guard open[transaction] == nil else { throw .alreadyOpen(transaction) }
        guard open.count < maxTransactions else { throw .tooManyTransactions(limit: maxTransactions) }
        open[transaction] = []
    }

    /// Holds `frame` (a SEND, ACK or NACK) in `transaction` until it commits.
    /// - Throws: ``TransactionError/unknown(_:)``, ``TransactionError/tooManyFrames(_:limit:)``.
    public mutating func hold(_ frame: STOMPFrame, in transaction: String) throws(TransactionError) {
        guard let count = open[transaction]?.count else { throw .unknown(transaction) }
        guard count < maxFramesPerTransaction else { throw .tooManyFrames(transaction, limit: maxFramesPerTransaction) }
        var headers = STOMPHeaders()
        for header in frame.headers where header.name != "transaction" && header.name != "receipt" {
            headers.add(header.name, header.value)
        }
        open[transaction]?.append(STOMPFrame(command: frame.command, headers: headers, body: frame.body))
    }

    /// Closes `transaction` and returns its frames, in the order they arrived.
    /// - Throws: ``TransactionError/unknown(_:)``.
    public mutating func commit(_ transaction: String) throws(TransactionError) -> [STOMPFrame] {
        guard let frames = open.removeValue(forKey: transaction) else { throw .unknown(transaction) }
        return frames
    }

    /// Closes `transaction`, discarding its frames; returns how many there were.
    /// - Throws: ``TransactionError/unknown(_:)``.
    @discardableResult
    public mutating func abort(_ transaction: String) throws(TransactionError) -> Int {
        guard let frames = open.removeValue(forKey: transaction) else { throw .unknown(transaction) }
        return frames.count
    }

    /// Aborts every open transaction (the connection closed); returns how many there were.
    @discardableResult
    public mutating func abortAll() -> Int {
        let count = open.count
        open.removeAll()
        return count
    }
}
