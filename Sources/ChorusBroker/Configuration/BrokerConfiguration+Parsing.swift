import Foundation

/// A line of a broker configuration file that could not be used.
public struct BrokerConfigurationError: Error, Sendable, Equatable, CustomStringConvertible {
    /// 1-based line number (0 when the file could not be read).
    public let line: Int
    public let message: String

    public init(line: Int, message: String) {
        self.line = line
        self.message = message
    }

    public var description: String { line > 0 ? "line \(line): \(message)" : message }
}

extension BrokerConfiguration {
    /// Reads the file at `path`.
    public init(contentsOfFile path: String) throws(BrokerConfigurationError) {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw BrokerConfigurationError(line: 0, message: "cannot read \(path): \(error.localizedDescription)")
        }
        try self.init(parsing: text)
    }

    /// Parses configuration text. Blank lines and lines starting with `#` are ignored; unknown
    /// keys are errors, so typos do not pass silently.
    public init(parsing text: String) throws(BrokerConfigurationError) {
        self.init()
        var sawListen = false
        var sawExchange = false
        for (index, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let lineNumber = index + 1
            let line = rawLine.trimmingCharacters(in: .whitespacesAndNewlines)
            if line.isEmpty || line.hasPrefix("#") { continue }
            guard let equals = line.firstIndex(of: "=") else {
                throw BrokerConfigurationError(line: lineNumber, message: "expected 'key = value'")
            }
            let key = line[..<equals].trimmingCharacters(in: .whitespaces)
            let value = line[line.index(after: equals)...].trimmingCharacters(in: .whitespaces)
            func integer(minimum: Int) throws(BrokerConfigurationError) -> Int {
                guard let number = Int(value), number >= minimum else {
                    throw BrokerConfigurationError(
                        line: lineNumber, message: "\(key) must be an integer of at least \(minimum), not '\(value)'")
                }
                return number
            }
            switch key {
            case "listen":
                guard let address = ListenAddress(parsing: value) else {
                    throw BrokerConfigurationError(
                        line: lineNumber, message: "listen must be HOST:PORT or tls://HOST:PORT, not '\(value)'")
                }
                if !sawListen { listen = [] }
                sawListen = true
                listen.append(address)
            case "heartbeat.send_ms": heartbeatSendMilliseconds = try integer(minimum: 0)
            case "heartbeat.receive_ms": heartbeatReceiveMilliseconds = try integer(minimum: 0)
            case "limits.max_frame_bytes": limits.maxFrameBytes = try integer(minimum: 1)
            case "limits.max_headers": limits.maxHeaderCount = try integer(minimum: 1)
            case "limits.max_header_line_bytes": limits.maxHeaderLineBytes = try integer(minimum: 16)
            case "limits.queue_depth": queueDepth = try integer(minimum: 1)
            case "limits.max_pending_messages": maxPendingMessagesPerConsumer = try integer(minimum: 1)
            case "limits.max_connections": maxConnections = try integer(minimum: 1)
            case "limits.max_subscriptions_per_connection": maxSubscriptionsPerConnection = try integer(minimum: 1)
            case "limits.max_unacked": maxUnackedPerSubscription = try integer(minimum: 1)
            case "limits.max_transactions_per_connection": maxTransactionsPerConnection = try integer(minimum: 1)
            case "limits.max_frames_per_transaction": maxFramesPerTransaction = try integer(minimum: 1)
            case "shutdown.grace_ms": shutdownGraceMilliseconds = try integer(minimum: 0)
            case "loglevel": logLevel = value
            case "stats.listen":
                guard let address = ListenAddress(parsingStatsListen: value) else {
                    throw BrokerConfigurationError(
                        line: lineNumber, message: "stats.listen must be HOST:PORT or a port, not '\(value)'")
                }
                statsListen = address
            case "tls.certificate": tls.certificateFile = value
            case "tls.private_key": tls.privateKeyFile = value
            case "tls.ca": tls.caFile = value
            case "tls.verify_clients":
                guard let mode = BrokerTLSConfiguration.ClientVerification(rawValue: value.lowercased()) else {
                    throw BrokerConfigurationError(
                        line: lineNumber, message: "tls.verify_clients must be none, optional or required, not '\(value)'")
                }
                tls.verifyClients = mode
            case _ where key.hasPrefix("exchange."):
                let name = String(key.dropFirst(9))
                guard !name.isEmpty, !name.contains("/"), name.allSatisfy({ !$0.isWhitespace }) else {
                    throw BrokerConfigurationError(
                        line: lineNumber, message: "exchange names may not be empty or contain '/' or spaces: '\(key)'")
                }
                guard let type = ExchangeType(rawValue: value.lowercased()) else {
                    throw BrokerConfigurationError(
                        line: lineNumber, message: "\(key) must be topic, direct or fanout, not '\(value)'")
                }
                if !sawExchange { exchanges = [:] }
                sawExchange = true
                exchanges[name] = type
            case _ where key.hasPrefix("user.") && key.count > 5:
                users[String(key.dropFirst(5))] = value
            case _ where key.hasPrefix("group."):
                try accessControlLine(line: lineNumber) { () throws(AccessPolicyError) in
                    try accessControl.addGroup(String(key.dropFirst(6)), members: value, line: lineNumber)
                }
            case _ where key.hasPrefix("acl."):
                try accessControlLine(line: lineNumber) { () throws(AccessPolicyError) in
                    try accessControl.addRule(pattern: String(key.dropFirst(4)), grants: value, line: lineNumber)
                }
            default:
                throw BrokerConfigurationError(line: lineNumber, message: "unknown setting '\(key)'")
            }
        }
        if let problem = accessControl.problem(users: Set(users.keys)) {
            throw BrokerConfigurationError(line: problem.line, message: problem.message)
        }
    }

    /// Runs the parsing of a `group.` or `acl.` line, naming the line in its error.
    private func accessControlLine(
        line: Int, _ parse: () throws(AccessPolicyError) -> Void
    ) throws(BrokerConfigurationError) {
        do { try parse() } catch { throw BrokerConfigurationError(line: line, message: error.message) }
    }
}
