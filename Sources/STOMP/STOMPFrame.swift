import NIOCore

/// A STOMP command (client and server frames of STOMP 1.0–1.2).
public enum STOMPCommand: String, Sendable, Hashable, CaseIterable {
    // client frames
    case connect = "CONNECT"
    case stomp = "STOMP"
    case send = "SEND"
    case subscribe = "SUBSCRIBE"
    case unsubscribe = "UNSUBSCRIBE"
    case ack = "ACK"
    case nack = "NACK"
    case begin = "BEGIN"
    case commit = "COMMIT"
    case abort = "ABORT"
    case disconnect = "DISCONNECT"
    // server frames
    case connected = "CONNECTED"
    case message = "MESSAGE"
    case receipt = "RECEIPT"
    case error = "ERROR"
}

extension STOMPCommand {
    /// The command whose name is exactly `bytes`, without building a String.
    init?(bytes: UnsafeRawBufferPointer) {
        for (name, command) in Self.names where name.count == bytes.count && name.elementsEqual(bytes) {
            self = command
            return
        }
        return nil
    }

    private static let names: [([UInt8], STOMPCommand)] = allCases.map { (Array($0.rawValue.utf8), $0) }
}

/// Ordered STOMP headers. Repeated names are kept; lookups return the first (STOMP 1.2 §"Repeated Header Entries").
public struct STOMPHeaders: Sendable, Equatable, Sequence {
    public typealias Element = (name: String, value: String)

    @usableFromInline var storage: [(name: String, value: String)]

    public init() { storage = [] }

    public init(_ pairs: [(String, String)]) {
        storage = pairs.map { (name: $0.0, value: $0.1) }
    }

    public var count: Int { storage.count }

    /// Makes room for `capacity` headers without reallocating.
    public mutating func reserveCapacity(_ capacity: Int) {
        storage.reserveCapacity(capacity)
    }

    /// The first value for `name`.
    public subscript(_ name: String) -> String? {
        get {
            for entry in storage where entry.name == name { return entry.value }
            return nil
        }
        set {
            if let index = storage.firstIndex(where: { $0.name == name }) {
                if let newValue {
                    storage[index].value = newValue
                } else {
                    storage.removeAll { $0.name == name }
                }
            } else if let newValue {
                storage.append((name: name, value: newValue))
            }
        }
    }

    /// Appends a header even if the name is already present.
    public mutating func add(_ name: String, _ value: String) {
        storage.append((name: name, value: value))
    }

    public func makeIterator() -> IndexingIterator<[(name: String, value: String)]> {
        storage.makeIterator()
    }

    public static func == (lhs: STOMPHeaders, rhs: STOMPHeaders) -> Bool {
        lhs.storage.elementsEqual(rhs.storage) { $0.name == $1.name && $0.value == $1.value }
    }
}

/// One STOMP frame: command, headers, body. The body is a `ByteBuffer` so the broker can
/// forward it without copying.
public struct STOMPFrame: Sendable, Equatable {
    public var command: STOMPCommand
    public var headers: STOMPHeaders
    public var body: ByteBuffer

    public init(command: STOMPCommand, headers: STOMPHeaders = STOMPHeaders(), body: ByteBuffer = ByteBuffer()) {
        self.command = command
        self.headers = headers
        self.body = body
    }

    public init(command: STOMPCommand, headers: [(String, String)], body: [UInt8] = []) {
        self.command = command
        self.headers = STOMPHeaders(headers)
        self.body = ByteBuffer(bytes: body)
    }
}
