import Foundation

/// What `GET /stats` answers, and what `chorus broker stats` reads: every field of
/// ``BrokerStats/Snapshot`` with its value, messages in and out per destination kind, the
/// broker's version, process, start time and uptime, its listeners, the configured limits, the
/// statistics endpoint's own response counts, and a description of every field.
///
/// ```json
/// {
///   "version": "0.1.0", "pid": 4242, "startedAt": "2026-12-06T09:00:00Z", "uptimeSeconds": 61.2,
///   "listeners": [{"address": "127.0.0.1:61613", "configured": "127.0.0.1:61613", "tls": false}],
///   "statsListener": "127.0.0.1:61680",
///   "stats": {"connectionsCurrent": 3, "topicMessagesIn": 120, …},
///   "messages": {"topic": {"in": 120, "out": 360}, "queue": {…}, "exchange": {…}},
///   "limits": {"limits.queue_depth": 1000, …},
///   "http": {"200": 17},
///   "fields": [{"name": "connectionsCurrent", "kind": "gauge", "section": "connections",
///               "help": "Open client connections", "metric": "chorus_broker_connections_current"}, …]
/// }
/// ```
public struct StatsDocument: Sendable, Codable, Equatable {
    /// One STOMP listener.
    public struct Listener: Sendable, Codable, Equatable {
        /// The bound address, `host:port` (ephemeral ports resolved).
        public var address: String
        /// The address as configured (`listen` or `--listen`, without the scheme).
        public var configured: String
        public var tls: Bool

        public init(address: String, configured: String, tls: Bool) {
            self.address = address
            self.configured = configured
            self.tls = tls
        }
    }

    /// Messages in and out of one destination kind.
    public struct Flow: Sendable, Codable, Equatable {
        public var `in`: Int
        public var out: Int

        public init(in: Int, out: Int) {
            self.in = `in`
            self.out = out
        }
    }

    /// ``BrokerServer/version``.
    public var version: String
    public var pid: Int
    /// ISO 8601, UTC, whole seconds.
    public var startedAt: String
    /// The start as seconds since the epoch.
    public var startTime: Double
    /// Seconds since the start (monotonic clock).
    public var uptimeSeconds: Double
    public var listeners: [Listener]
    /// The statistics endpoint's own address, `host:port`.
    public var statsListener: String?
    /// Every field of ``BrokerStats/Snapshot`` by name.
    public var stats: [String: Int]
    /// `topic`, `queue`, `exchange` (and any kind a later field names) → in and out.
    public var messages: [String: Flow]
    /// The configured bounds by configuration key (`limits.queue_depth` → 1000).
    public var limits: [String: Int]
    /// Responses the statistics endpoint has given, by HTTP status code (`"200"` → 17).
    public var http: [String: Int]
    /// Every key of ``stats``, described, in the snapshot's order.
    public var fields: [StatsField]

    public init(
        version: String, pid: Int, startedAt: String, startTime: Double, uptimeSeconds: Double, listeners: [Listener],
        statsListener: String?, stats: [String: Int], messages: [String: Flow], limits: [String: Int],
        http: [String: Int], fields: [StatsField]
    ) {
        self.version = version
        self.pid = pid
        self.startedAt = startedAt
        self.startTime = startTime
        self.uptimeSeconds = uptimeSeconds
        self.listeners = listeners
        self.statsListener = statsListener
        self.stats = stats
        self.messages = messages
        self.limits = limits
        self.http = http
        self.fields = fields
    }

    /// The destination kinds in the order they are shown: topic, queue, exchange, then any other.
    public var messageKinds: [String] {
        let usual = ["topic", "queue", "exchange"]
        return usual.filter { messages[$0] != nil } + messages.keys.filter { !usual.contains($0) }.sorted()
    }

    /// The document as JSON with a final newline, in reading order: identity and uptime,
    /// listeners, the counters in the snapshot's order, messages by kind, limits and answers
    /// sorted, the field descriptions last.
    public func json() -> String {
        let ordered = fields.map(\.name).filter { stats[$0] != nil }
        let counters = ordered + stats.keys.filter { !ordered.contains($0) }.sorted()
        var members: [(String, OrderedJSON)] = [
            ("version", .string(version)), ("pid", .integer(pid)), ("startedAt", .string(startedAt)),
            ("startTime", .number(startTime)), ("uptimeSeconds", .number(uptimeSeconds)),
            ("listeners", .array(listeners.map {
                .object([("address", .string($0.address)), ("configured", .string($0.configured)), ("tls", .bool($0.tls))])
            })),
        ]
        if let statsListener { members.append(("statsListener", .string(statsListener))) }
        members += [
            ("stats", .object(counters.map { ($0, .integer(stats[$0] ?? 0)) })),
            ("messages", .object(messageKinds.map { kind in
                let flow = messages[kind] ?? Flow(in: 0, out: 0)
                return (kind, .object([("in", .integer(flow.in)), ("out", .integer(flow.out))]))
            })),
            ("limits", .object(limits.keys.sorted().map { ($0, .integer(limits[$0] ?? 0)) })),
            ("http", .object(http.keys.sorted().map { ($0, .integer(http[$0] ?? 0)) })),
            ("fields", .array(fields.map { field in
                .object([
                    ("name", .string(field.name)), ("kind", .string(field.kind.rawValue)),
                    ("section", .string(field.section.rawValue)), ("help", .string(field.help)),
                    ("metric", .string(field.metric)),
                ])
            })),
        ]
        return OrderedJSON.object(members).text() + "\n"
    }

    /// Decodes a document `GET /stats` returned.
    public init(json data: Data) throws {
        self = try JSONDecoder().decode(StatsDocument.self, from: data)
    }
}

extension StatsDocument {
    /// What does not change while the broker runs: identity, start, listeners, limits.
    public struct Context: Sendable {
        public var version = BrokerServer.version
        public var pid = Int(ProcessInfo.processInfo.processIdentifier)
        public var startedAt = Date()
        /// The monotonic start, for the uptime.
        var startedUptime = ContinuousClock.now
        public var listeners: [Listener] = []
        public var limits: [String: Int] = [:]

        public init() {}

        /// The listeners and limits of `configuration`, bound at `boundAddresses`.
        init(configuration: BrokerConfiguration, boundAddresses: [String], startedAt: Date, startedUptime: ContinuousClock.Instant) {
            self.startedAt = startedAt
            self.startedUptime = startedUptime
            listeners = zip(configuration.listen, boundAddresses).map { configured, bound in
                var plain = configured
                plain.tls = false
                return Listener(address: bound, configured: plain.description, tls: configured.tls)
            }
            limits = [
                "limits.max_frame_bytes": configuration.limits.maxFrameBytes,
                "limits.max_headers": configuration.limits.maxHeaderCount,
                "limits.max_header_line_bytes": configuration.limits.maxHeaderLineBytes,
                "limits.queue_depth": configuration.queueDepth,
                "limits.max_pending_messages": configuration.maxPendingMessagesPerConsumer,
                "limits.max_connections": configuration.maxConnections,
                "limits.max_subscriptions_per_connection": configuration.maxSubscriptionsPerConnection,
                "limits.max_unacked": configuration.maxUnackedPerSubscription,
                "limits.max_transactions_per_connection": configuration.maxTransactionsPerConnection,
                "limits.max_frames_per_transaction": configuration.maxFramesPerTransaction,
            ]
        }
    }

    /// The document for `snapshot` now.
    public init(
        snapshot: BrokerStats.Snapshot, context: Context, statsListener: String? = nil, http: [String: Int] = [:]
    ) {
        let fields = snapshot.fields
        var stats: [String: Int] = [:]
        var messages: [String: Flow] = [:]
        for (field, value) in fields {
            stats[field.name] = value
            if let (family, kind) = StatsField.messageFamily(field.name) {
                var flow = messages[kind] ?? Flow(in: 0, out: 0)
                if family == "messages_in" { flow.in = value } else { flow.out = value }
                messages[kind] = flow
            }
        }
        let uptime = ContinuousClock.now - context.startedUptime
        let seconds = Double(uptime.components.seconds) + Double(uptime.components.attoseconds) / 1e18
        func milliseconds(_ value: Double) -> Double { (value * 1000).rounded() / 1000 }
        self.init(
            version: context.version, pid: context.pid, startedAt: ISO8601DateFormatter().string(from: context.startedAt),
            startTime: milliseconds(context.startedAt.timeIntervalSince1970), uptimeSeconds: milliseconds(seconds),
            listeners: context.listeners, statsListener: statsListener, stats: stats, messages: messages,
            limits: context.limits, http: http, fields: fields.map(\.field))
    }
}
