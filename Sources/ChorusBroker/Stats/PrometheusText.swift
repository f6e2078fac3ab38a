/// A ``StatsDocument`` in Prometheus' text exposition format (version 0.0.4), what `GET
/// /metrics` answers:
///
/// ```
/// # HELP chorus_broker_connections_current Open client connections
/// # TYPE chorus_broker_connections_current gauge
/// chorus_broker_connections_current 3
/// # HELP chorus_broker_messages_in_total Messages received (SENDs accepted), by destination kind
/// # TYPE chorus_broker_messages_in_total counter
/// chorus_broker_messages_in_total{kind="topic"} 120
/// chorus_broker_messages_in_total{kind="queue"} 40
/// ```
///
/// Every field of the snapshot becomes one sample under ``StatsField/metric``; samples of one
/// family (the per-kind message counters) share one HELP and TYPE. Besides them:
/// `chorus_broker_info{version}`, `chorus_broker_start_time_seconds`,
/// `chorus_broker_uptime_seconds`, `chorus_broker_listener_info{address,tls}`,
/// `chorus_broker_limit{setting}` and `chorus_broker_stats_http_responses_total{code}`.
public enum PrometheusText {
    /// The `Content-Type` of the exposition.
    public static let contentType = "text/plain; version=0.0.4; charset=utf-8"

    private struct Family {
        var name: String
        var kind: StatsField.Kind
        var help: String
        var samples: [(labels: String, value: String)] = []
    }

    /// Renders `document`.
    public static func render(_ document: StatsDocument) -> String {
        let prefix = StatsField.metricPrefix
        var families: [Family] = []
        func add(_ name: String, _ kind: StatsField.Kind, _ help: String, labels: String = "", _ value: String) {
            if let index = families.firstIndex(where: { $0.name == name }) {
                families[index].samples.append((labels, value))
            } else {
                families.append(Family(name: name, kind: kind, help: help, samples: [(labels, value)]))
            }
        }

        add(prefix + "info", .gauge, "The broker's version (always 1)", labels: label(["version": document.version]), "1")
        add(prefix + "start_time_seconds", .gauge, "When the broker started, in seconds since the epoch", number(document.startTime))
        add(prefix + "uptime_seconds", .gauge, "Seconds since the broker started", number(document.uptimeSeconds))
        for field in document.fields {
            guard let value = document.stats[field.name] else { continue }
            let (name, labels) = split(field.metric)
            let family = name.dropFirst(prefix.count).droppingSuffix("_total")
            add(name, field.kind, StatsField.messageFamilyHelp[family] ?? field.help, labels: labels, String(value))
        }
        for listener in document.listeners {
            add(
                prefix + "listener_info", .gauge, "A STOMP listener (always 1)",
                labels: label(["address": listener.address, "tls": String(listener.tls)]), "1")
        }
        for (setting, value) in document.limits.sorted(by: { $0.key < $1.key }) {
            add(prefix + "limit", .gauge, "A configured limit, by configuration key", labels: label(["setting": setting]), String(value))
        }
        for (code, count) in document.http.sorted(by: { $0.key < $1.key }) {
            add(
                prefix + "stats_http_responses_total", .counter, "Responses of the statistics endpoint, by HTTP status",
                labels: label(["code": code]), String(count))
        }

        var text = ""
        for family in families {
            text += "# HELP \(family.name) \(escapeHelp(family.help))\n"
            text += "# TYPE \(family.name) \(family.kind.rawValue)\n"
            for sample in family.samples {
                text += "\(family.name)\(sample.labels) \(sample.value)\n"
            }
        }
        return text
    }

    /// `name{labels}` → (`name`, `{labels}`).
    private static func split(_ metric: String) -> (String, String) {
        guard let brace = metric.firstIndex(of: "{") else { return (metric, "") }
        return (String(metric[..<brace]), String(metric[brace...]))
    }

    /// `{a="x",b="y"}`, keys sorted, values escaped.
    static func label(_ pairs: [String: String]) -> String {
        "{" + pairs.sorted(by: { $0.key < $1.key }).map { "\($0.key)=\"\(escapeLabel($0.value))\"" }.joined(separator: ",") + "}"
    }

    /// Label values escape `\`, `"` and newlines.
    static func escapeLabel(_ value: String) -> String {
        var escaped = ""
        for character in value {
            switch character {
            case "\\": escaped += "\\\\"
            case "\"": escaped += "\\\""
            case "\n": escaped += "\\n"
            default: escaped.append(character)
            }
        }
        return escaped
    }

    /// HELP texts escape `\` and newlines.
    static func escapeHelp(_ value: String) -> String {
        var escaped = ""
        for character in value {
            switch character {
            case "\\": escaped += "\\\\"
            case "\n": escaped += "\\n"
            default: escaped.append(character)
            }
        }
        return escaped
    }

    /// Seconds with millisecond precision.
    private static func number(_ value: Double) -> String {
        let rounded = (value * 1000).rounded() / 1000
        return rounded == rounded.rounded() && abs(rounded) < 1e15 ? String(Int64(rounded)) : "\(rounded)"
    }
}

extension Substring {
    fileprivate func droppingSuffix(_ suffix: String) -> String {
        hasSuffix(suffix) ? String(dropLast(suffix.count)) : String(self)
    }
}
