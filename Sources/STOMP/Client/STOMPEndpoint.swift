/// One broker in a connection pool (MCollective's `plugin.<connector>.pool.N.*`).
public struct STOMPEndpoint: Sendable, Hashable, CustomStringConvertible {
    public var host: String
    public var port: Int
    public var login: String?
    public var passcode: String?
    /// TLS settings; `nil` = plaintext STOMP.
    public var tls: STOMPTLSSettings?

    public init(host: String, port: Int = 61613, login: String? = nil, passcode: String? = nil, tls: STOMPTLSSettings? = nil) {
        self.host = host
        self.port = port
        self.login = login
        self.passcode = passcode
        self.tls = tls
    }

    public var description: String { "\(host):\(port)" }
}

/// How a `STOMPClient` connects: which brokers, which virtual host, which STOMP version,
/// heart-beats and reconnection back-off (the stomp gem's defaults as MCollective sets them).
public struct STOMPClientConfiguration: Sendable {
    /// Brokers tried in order; after a failure the next one is tried.
    public var endpoints: [STOMPEndpoint]
    /// The CONNECT `host` header (RabbitMQ vhost; `mcollective` for ActiveMQ).
    public var virtualHost: String
    /// Heart-beat interval in seconds; 0 speaks STOMP 1.0 with no heart-beats, as MCollective does by default.
    /// MCollective forces values under 30 up to 30; Chorus accepts any positive value.
    public var heartbeatInterval: Int
    /// Keep reconnecting (a node daemon) or fail on the first lost connection (a CLI client).
    public var reconnects: Bool
    /// First retry delay, doubled after each failure up to `maximumBackoff` (seconds).
    public var initialBackoff: Double
    public var maximumBackoff: Double
    /// Seconds to wait for TCP connect and CONNECTED.
    public var connectTimeout: Double
    public var limits: STOMPLimits

    public init(
        endpoints: [STOMPEndpoint],
        virtualHost: String,
        heartbeatInterval: Int = 0,
        reconnects: Bool = true,
        initialBackoff: Double = 0.01,
        maximumBackoff: Double = 30,
        connectTimeout: Double = 30,
        limits: STOMPLimits = .default
    ) {
        self.endpoints = endpoints
        self.virtualHost = virtualHost
        self.heartbeatInterval = heartbeatInterval
        self.reconnects = reconnects
        self.initialBackoff = initialBackoff
        self.maximumBackoff = maximumBackoff
        self.connectTimeout = connectTimeout
        self.limits = limits
    }
}

/// Why a STOMP client could not do what it was asked.
public enum STOMPClientError: Error, Sendable, CustomStringConvertible {
    case connectFailed(endpoint: STOMPEndpoint, reason: String)
    /// The TLS handshake failed; `reason` says why and which setting to check.
    case tlsFailed(endpoint: STOMPEndpoint, reason: String)
    case rejected(endpoint: STOMPEndpoint, message: String)
    case notConnected
    case closed
    case protocolError(String)

    public var description: String {
        switch self {
        case .connectFailed(let endpoint, let reason):
            return "cannot connect to the broker at \(endpoint): \(reason)"
        case .tlsFailed(let endpoint, let reason):
            return "TLS handshake with the broker at \(endpoint) failed: \(reason)"
        case .rejected(let endpoint, let message):
            return "the broker at \(endpoint) refused the connection: \(message)"
        case .notConnected: return "not connected to a broker"
        case .closed: return "the connection to the broker is closed"
        case .protocolError(let message): return "STOMP protocol error: \(message)"
        }
    }
}
