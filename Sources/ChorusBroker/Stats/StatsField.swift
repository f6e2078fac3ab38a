import Foundation

/// One counter of ``BrokerStats/Snapshot``, described for the statistics endpoint: its value,
/// whether it only grows (a counter) or goes up and down (a gauge), the section of
/// `chorus broker stats` it belongs to, a one-line help text and its Prometheus name.
///
/// The list is read from the snapshot's stored properties by reflection, so a field added to
/// ``BrokerStats/Snapshot`` appears in `/stats`, `/metrics` and `chorus broker stats` without
/// further work. ``known`` gives the fields it knows a better help text, section or kind; any
/// other field is a counter whose help text is its name in words, and whose section is guessed
/// from its name (``Section/guess(for:)``).
public struct StatsField: Sendable, Equatable, Codable {
    /// Whether the value only grows while the broker runs.
    public enum Kind: String, Sendable, Codable {
        case counter
        case gauge
    }

    /// The section of `chorus broker stats` a field is printed in.
    public enum Section: String, Sendable, Codable, CaseIterable {
        case connections
        case messages
        case drops
        case security
        case limits
        case other

        /// The section a field's name suggests: security for logins, TLS and refusals, limits
        /// for breaches of configured bounds, drops for messages lost, connections for
        /// connection-level events, messages for message, acknowledgement and transaction
        /// counts, and other for the rest.
        public static func guess(for name: String) -> Section {
            let words = name.lowercased()
            func mentions(_ parts: String...) -> Bool { parts.contains { words.contains($0) } }
            if mentions("auth", "tls", "denied", "denial", "forbidden", "refus", "login") { return .security }
            if mentions("limit", "toolarge", "toomany", "exceed", "oversize") { return .limits }
            if mentions("drop", "expire", "unrouted", "overflow", "discard") { return .drops }
            if mentions("connection", "subscription", "heartbeat", "protocol") { return .connections }
            if mentions("message", "ack", "transaction", "receipt", "commit", "abort") { return .messages }
            return .other
        }
    }

    /// The property's name in ``BrokerStats/Snapshot`` (and the key in `/stats`'s `stats`).
    public var name: String
    public var kind: Kind
    public var section: Section
    /// One line, no trailing period; the Prometheus `# HELP` text and the CLI's label.
    public var help: String
    /// The Prometheus sample name with its labels, for example
    /// `chorus_broker_messages_in_total{kind="topic"}`.
    public var metric: String

    public init(name: String, kind: Kind, section: Section, help: String, metric: String) {
        self.name = name
        self.kind = kind
        self.section = section
        self.help = help
        self.metric = metric
    }

    /// What is known about a field beyond its name.
    struct Description: Sendable {
        var kind: Kind
        var section: Section
        var help: String
    }

    /// Kind, section and help of the fields whose names alone say too little.
    static let known: [String: Description] = [
        "connectionsCurrent": Description(kind: .gauge, section: .connections, help: "Open client connections"),
        "connectionsTotal": Description(
            kind: .counter, section: .connections, help: "Client connections accepted since start"),
        "subscriptions": Description(kind: .gauge, section: .connections, help: "Current subscriptions"),
        "protocolErrors": Description(
            kind: .counter, section: .connections, help: "Connections closed for a protocol error"),
        "heartbeatTimeouts": Description(
            kind: .counter, section: .connections, help: "Connections closed for missing heart-beats"),
        "unrouted": Description(
            kind: .counter, section: .drops, help: "Topic and exchange messages no subscription selected"),
        "dropped": Description(
            kind: .counter, section: .drops, help: "Messages dropped by queue overflow or for slow consumers"),
        "expired": Description(kind: .counter, section: .drops, help: "Messages dropped because they had expired"),
        "bufferedMessages": Description(kind: .gauge, section: .messages, help: "Messages waiting in queue buffers"),
        "authFailures": Description(
            kind: .counter, section: .security, help: "CONNECTs refused for a bad login or passcode"),
        "tlsHandshakeFailures": Description(
            kind: .counter, section: .security, help: "TLS connections refused before the handshake completed"),
        "tlsPlaintextRefused": Description(
            kind: .counter, section: .security, help: "Plaintext connections refused on a TLS listener"),
        "authorizationDenials": Description(
            kind: .counter, section: .security, help: "Operations the access control (acl.) refused"),
        "authorizationReadDenials": Description(
            kind: .counter, section: .security, help: "SUBSCRIBEs refused without read permission"),
        "authorizationWriteDenials": Description(
            kind: .counter, section: .security, help: "SENDs refused without write permission"),
        "authorizationCreateDenials": Description(
            kind: .counter, section: .security, help: "Destinations not created without create permission"),
        "connectionLimitExceeded": Description(
            kind: .counter, section: .limits, help: "Connections refused at limits.max_connections"),
        "subscriptionLimitExceeded": Description(
            kind: .counter, section: .limits, help: "SUBSCRIBEs refused at limits.max_subscriptions_per_connection"),
        "unackedLimitDrops": Description(
            kind: .counter, section: .limits, help: "Copies not delivered at limits.max_unacked"),
        "transactionLimitExceeded": Description(
            kind: .counter, section: .limits, help: "BEGINs refused at limits.max_transactions_per_connection"),
        "transactionFrameLimitExceeded": Description(
            kind: .counter, section: .limits, help: "Frames refused at limits.max_frames_per_transaction"),
        "unackedMessagesCurrent": Description(
            kind: .gauge, section: .messages, help: "Messages delivered and not yet acknowledged"),
        "unackedMessagesDiscarded": Description(
            kind: .counter, section: .drops, help: "Unacknowledged topic and exchange copies discarded"),
        "transactionsOpenCurrent": Description(kind: .gauge, section: .messages, help: "Open transactions"),
    ]

    /// Prometheus `# HELP` of the per-kind message families.
    static let messageFamilyHelp = [
        "messages_in": "Messages received (SENDs accepted), by destination kind",
        "messages_out": "MESSAGE frames delivered to subscribers, by destination kind",
    ]

    /// The prefix of every Prometheus name the broker exports.
    public static let metricPrefix = "chorus_broker_"

    /// Describes the stored property `name` holding `value`.
    static func describe(_ name: String) -> StatsField {
        if let (family, destinationKind) = messageFamily(name) {
            let direction = family.hasSuffix("_in") ? "received" : "delivered"
            return StatsField(
                name: name, kind: .counter, section: .messages, help: "\(destinationKind.capitalized) messages \(direction)",
                metric: "\(metricPrefix)\(family)_total{kind=\"\(destinationKind)\"}")
        }
        let description =
            known[name]
            ?? Description(
                kind: name.hasSuffix("Current") ? .gauge : .counter, section: Section.guess(for: name),
                help: sentenceCase(words(name)))
        var metric = metricPrefix + snakeCase(name)
        if description.kind == .counter, !metric.hasSuffix("_total") { metric += "_total" }
        return StatsField(
            name: name, kind: description.kind, section: description.section, help: description.help, metric: metric)
    }

    /// `topicMessagesIn` → (`messages_in`, `topic`); nil for names of another shape.
    static func messageFamily(_ name: String) -> (family: String, kind: String)? {
        for (suffix, family) in [("MessagesIn", "messages_in"), ("MessagesOut", "messages_out")] where name.hasSuffix(suffix) {
            let kind = String(name.dropLast(suffix.count))
            guard !kind.isEmpty, kind.allSatisfy({ $0.isLowercase }) else { return nil }
            return (family, kind)
        }
        return nil
    }

    /// `tlsHandshakeFailures` → `tls_handshake_failures`.
    static func snakeCase(_ name: String) -> String {
        var result = ""
        for character in name {
            if character.isUppercase {
                if !result.isEmpty { result += "_" }
                result += character.lowercased()
            } else {
                result.append(character)
            }
        }
        return result
    }

    /// `tlsHandshakeFailures` → `tls handshake failures`.
    static func words(_ name: String) -> String {
        snakeCase(name).replacingOccurrences(of: "_", with: " ")
    }

    /// `tls handshake failures` → `Tls handshake failures`.
    static func sentenceCase(_ text: String) -> String {
        text.prefix(1).uppercased() + String(text.dropFirst())
    }
}

extension BrokerStats.Snapshot {
    /// Every stored integer property with its value, in declaration order, described for the
    /// statistics endpoint. Properties of other types are left out.
    public var fields: [(field: StatsField, value: Int)] {
        Mirror(reflecting: self).children.compactMap { child in
            guard let name = child.label, let value = Self.integer(child.value) else { return nil }
            return (StatsField.describe(name), value)
        }
    }

    private static func integer(_ value: Any) -> Int? {
        switch value {
        case let value as Int: value
        case let value as Int64: Int(value)
        case let value as Int32: Int(value)
        case let value as UInt64: Int(clamping: value)
        case let value as UInt32: Int(value)
        case let value as UInt: Int(clamping: value)
        default: nil
        }
    }
}
