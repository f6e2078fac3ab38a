import ChorusBroker
import Foundation

/// `chorus broker stats` as text: a heading with the broker's version, process, uptime and
/// listeners, then one block per section (connections; messages by destination kind in and
/// out; drops, expiries and unrouted; security refusals; limits; anything else), every line a
/// field's help text and its value.
///
/// ```
/// chorus broker 0.1.0, pid 4242, up 1h 02m 03s (since 2026-12-06T09:00:00Z)
/// listening on 127.0.0.1:61613, tls://0.0.0.0:61614; statistics on 127.0.0.1:61680
///
/// Connections
///   Open client connections                        3
/// …
/// Messages                     in        out
///   topic                     120        360
/// ```
///
/// ``rates(from:to:)`` prints the same blocks with counters as changes per second between two
/// documents (gauges as they are now), for `--watch`.
struct BrokerStatsRenderer: Sendable {
    var style: TerminalStyle

    /// Section headings, in the order they are printed.
    static let headings: [(StatsField.Section, String)] = [
        (.connections, "Connections"), (.messages, "Messages"), (.drops, "Drops, expiries, unrouted"),
        (.security, "Security refusals"), (.limits, "Limits"), (.other, "Other"),
    ]

    /// The totals of `document`.
    func report(_ document: StatsDocument) -> String {
        var text = heading(document)
        for (section, title) in Self.headings {
            var rows = fieldRows(document, section: section) { _, value in String(value) }
            if section == .limits {
                // What was refused first, then the configured bounds by key.
                rows += document.limits.sorted { $0.key < $1.key }.map { ($0.key, String($0.value)) }
            }
            if section == .messages {
                text += "\n" + messageTable(document, title: title, format: { String(Int($0)) }) { kind in
                    let flow = document.messages[kind] ?? StatsDocument.Flow(in: 0, out: 0)
                    return (Double(flow.in), Double(flow.out))
                }
                text += block(rows, document)
            } else if !rows.isEmpty {
                text += "\n" + style.bold(title) + "\n" + block(rows, document)
            }
        }
        return text
    }

    /// What changed per second from `previous` to `current`, counters as rates and gauges as
    /// they are now, headed by `time` (the wall-clock time of `current`).
    func rates(from previous: StatsDocument, to current: StatsDocument, time: String) -> String {
        let seconds = current.uptimeSeconds - previous.uptimeSeconds
        guard seconds > 0 else { return report(current) }
        func perSecond(_ now: Int, _ before: Int?) -> Double { Double(now - (before ?? 0)) / seconds }
        func shown(_ rate: Double) -> String { TextLayout.fixed(rate, digits: 1) + "/s" }
        var text =
            "\(time), up \(Self.duration(current.uptimeSeconds)): per second over the last \(TextLayout.fixed(seconds, digits: 1)) s\n"
        for (section, title) in Self.headings {
            let rows = fieldRows(current, section: section) { field, value in
                field.kind == .gauge ? String(value) : shown(perSecond(value, previous.stats[field.name]))
            }
            if section == .messages {
                text += "\n" + messageTable(current, title: title, format: shown) { kind in
                    let now = current.messages[kind] ?? StatsDocument.Flow(in: 0, out: 0)
                    let before = previous.messages[kind]
                    return (perSecond(now.in, before?.in), perSecond(now.out, before?.out))
                }
                text += block(rows, current)
            } else if !rows.isEmpty {
                text += "\n" + style.bold(title) + "\n" + block(rows, current)
            }
        }
        return text
    }

    /// Version, pid, uptime, listeners.
    private func heading(_ document: StatsDocument) -> String {
        let listeners = document.listeners.map { ($0.tls ? "tls://" : "") + $0.address }.joined(separator: ", ")
        var text =
            "chorus broker \(document.version), pid \(document.pid), up \(Self.duration(document.uptimeSeconds)) (since \(document.startedAt))\n"
        text += "listening on \(listeners.isEmpty ? "nothing" : listeners)"
        if let statsListener = document.statsListener { text += "; statistics on \(statsListener)" }
        return text + "\n"
    }

    /// The fields of `section` (the per-kind message counters excepted), as label and value.
    private func fieldRows(
        _ document: StatsDocument, section: StatsField.Section, value: (StatsField, Int) -> String
    ) -> [(String, String)] {
        document.fields.compactMap { field in
            guard field.section == section, !field.metric.contains("{kind="),
                let number = document.stats[field.name]
            else { return nil }
            return (field.help, value(field, number))
        }
    }

    /// The per-kind table: a heading row, one row per kind, a total row when there are several.
    private func messageTable(
        _ document: StatsDocument, title: String, format: (Double) -> String, values: (String) -> (Double, Double)
    ) -> String {
        var rows = document.messageKinds.map { kind -> (String, Double, Double) in
            let (incoming, outgoing) = values(kind)
            return (kind, incoming, outgoing)
        }
        if rows.count > 1 {
            rows.append(("total", rows.reduce(0) { $0 + $1.1 }, rows.reduce(0) { $0 + $1.2 }))
        }
        let cells = rows.map { ($0.0, format($0.1), format($0.2)) }
        let width = max(10, cells.map { max($0.1.count, $0.2.count) }.max() ?? 0)
        var text = style.bold(TextLayout.padRight(title, 14)) + TextLayout.padLeft("in", width + 2)
            + TextLayout.padLeft("out", width + 2) + "\n"
        for (kind, incoming, outgoing) in cells {
            text += "  " + TextLayout.padRight(kind, 12) + TextLayout.padLeft(incoming, width + 2)
                + TextLayout.padLeft(outgoing, width + 2) + "\n"
        }
        return text
    }

    /// Labels left, padded to the longest label of the whole report, values right-aligned.
    private func block(_ rows: [(String, String)], _ document: StatsDocument) -> String {
        let labelWidth = (document.fields.map(\.help.count) + document.limits.keys.map(\.count)).max() ?? 0
        return rows.map { "  " + TextLayout.padRight($0.0, labelWidth) + "  " + TextLayout.padLeft($0.1, 10) + "\n" }
            .joined()
    }

    /// `45.2s`, `3m 07s`, `2h 03m 05s`, `4d 02h 03m`.
    static func duration(_ seconds: Double) -> String {
        guard seconds >= 60 else { return TextLayout.fixed(seconds, digits: 1) + "s" }
        let whole = Int(seconds)
        let (days, hours, minutes, rest) = (whole / 86400, whole / 3600 % 24, whole / 60 % 60, whole % 60)
        func two(_ value: Int) -> String { value < 10 ? "0\(value)" : String(value) }
        if days > 0 { return "\(days)d \(two(hours))h \(two(minutes))m" }
        if hours > 0 { return "\(hours)h \(two(minutes))m \(two(rest))s" }
        return "\(minutes)m \(two(rest))s"
    }
}
