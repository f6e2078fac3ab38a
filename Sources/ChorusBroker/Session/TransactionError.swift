/// Why a BEGIN, COMMIT or ABORT, or a frame with a `transaction` header, is refused.
public enum TransactionError: Error, Sendable, Equatable, CustomStringConvertible {
    /// No transaction of that name is open on this connection.
    case unknown(String)
    /// BEGIN of a transaction that is already open.
    case alreadyOpen(String)
    /// BEGIN with `limits.max_transactions_per_connection` transactions open.
    case tooManyTransactions(limit: Int)
    /// A frame beyond `limits.max_frames_per_transaction` in one transaction.
    case tooManyFrames(String, limit: Int)

    public var description: String {
        switch self {
        case .unknown(let name): "no transaction '\(name)' is open on this connection"
        case .alreadyOpen(let name): "the transaction '\(name)' is already open"
        case .tooManyTransactions(let limit):
            "this connection already has \(limit) open transactions (limits.max_transactions_per_connection = \(limit))"
        case .tooManyFrames(let name, let limit):
            "the transaction '\(name)' already holds \(limit) frames (limits.max_frames_per_transaction = \(limit))"
        }
    }
}
