import RubyMarshal

/// How audit lines are written (`rpcauditprovider`).
public enum AuditFormat: String, Sendable, CaseIterable {
    /// MCollective's `Logfile` audit plugin (audit/logfile.rb), byte for byte:
    /// `[2026-03-01 12:00:00 UTC] reqid=… : reqtime=… caller=…@… agent=… action=… data={…}`.
    case logfile
    /// One JSON object per line: `ts`, `requestid`, `requesttime`, `caller`, `sender`,
    /// `agent`, `action`, `data`.
    case jsonl

    /// `logfile` (any case, as MCollective's `Logfile`) or `jsonl`; nil for anything else.
    public init?(provider: String) {
        self.init(rawValue: provider.lowercased())
    }

    /// The line for `record`, without its newline.
    public func line(_ record: AuditRecord) -> String {
        switch self {
        case .logfile: return Self.logfileLine(record)
        case .jsonl: return Self.jsonLine(record)
        }
    }

    /// logfile.rb: `"[#{now_iso8601}] reqid=#{request.uniqid}: reqtime=#{request.time}
    /// caller=#{request.caller}@#{request.sender} agent=#{request.agent}
    /// action=#{request.action} data=#{request.data.pretty_print_inspect}"`, the time as
    /// `%Y-%m-%d %H:%M:%S UTC`. `pretty_print_inspect` is `pp` on one line (a multi-line
    /// String prints as `"a\n" + "b"`).
    ///
    /// Deviation: control characters in the id, caller and sender (which a forged psk envelope
    /// can carry) are escaped as Ruby's `inspect` escapes them, so no request can forge or
    /// split an audit line; MCollective writes them raw.
    static func logfileLine(_ record: AuditRecord) -> String {
        let time = CivilTime(epochSeconds: record.seconds)
        let data = record.data.prettyInspectLines(width: .max).joined(separator: " ")
        return "[\(time.date) \(time.time) UTC] reqid=\(escaped(record.requestID)): reqtime=\(record.requestTime) "
            + "caller=\(escaped(record.caller))@\(escaped(record.sender)) agent=\(escaped(record.agent)) "
            + "action=\(escaped(record.action)) data=\(data)"
    }

    /// The JSON object, keys in the documented order; `ts` is RFC 3339 UTC with microseconds,
    /// `data` is the request data as Ruby's `JSON.generate` writes it (Symbols become strings).
    static func jsonLine(_ record: AuditRecord) -> String {
        let time = CivilTime(epochSeconds: record.seconds)
        let micros = String(max(0, min(record.nanoseconds, 999_999_999)) / 1000)
        let fraction = String(repeating: "0", count: 6 - micros.count) + micros
        let object = RubyValue.hash(RubyHash(pairs: [
            .init(key: .str("ts"), value: .str("\(time.date)T\(time.time).\(fraction)Z")),
            .init(key: .str("requestid"), value: .str(record.requestID)),
            .init(key: .str("requesttime"), value: .int(record.requestTime)),
            .init(key: .str("caller"), value: .str(record.caller)),
            .init(key: .str("sender"), value: .str(record.sender)),
            .init(key: .str("agent"), value: .str(record.agent)),
            .init(key: .str("action"), value: .str(record.action)),
            .init(key: .str("data"), value: record.data),
        ]))
        return object.jsonString()
    }

    /// Text with every control character (below U+0020, and U+007F) escaped as Ruby's `inspect` does.
    static func escaped(_ text: String) -> String {
        guard text.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) else { return text }
        var out = ""
        for scalar in text.unicodeScalars {
            switch scalar.value {
            case 0x0A: out += "\\n"
            case 0x09: out += "\\t"
            case 0x0D: out += "\\r"
            case 0x0C: out += "\\f"
            case 0x0B: out += "\\v"
            case 0x08: out += "\\b"
            case 0x07: out += "\\a"
            case 0x1B: out += "\\e"
            case 0..<0x20, 0x7F:
                let hex = String(scalar.value, radix: 16, uppercase: true)
                out += "\\x" + (hex.count < 2 ? "0" + hex : hex)
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }
}

/// A UTC calendar date and time of day from seconds since the epoch (proleptic Gregorian).
struct CivilTime: Equatable {
    var year, month, day, hour, minute, second: Int

    init(epochSeconds: Int) {
        let days = epochSeconds >= 0 ? epochSeconds / 86_400 : -((-epochSeconds + 86_399) / 86_400)
        let secondOfDay = epochSeconds - days * 86_400
        hour = secondOfDay / 3600
        minute = secondOfDay % 3600 / 60
        second = secondOfDay % 60
        // Days to civil date (H. Hinnant's algorithm, eras of 400 years from 0000-03-01).
        let shifted = days + 719_468
        let era = (shifted >= 0 ? shifted : shifted - 146_096) / 146_097
        let dayOfEra = shifted - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthIndex = (5 * dayOfYear + 2) / 153
        day = dayOfYear - (153 * monthIndex + 2) / 5 + 1
        month = monthIndex < 10 ? monthIndex + 3 : monthIndex - 9
        year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
    }

    /// `YYYY-MM-DD`.
    var date: String { "\(Self.pad(year, 4))-\(Self.pad(month, 2))-\(Self.pad(day, 2))" }
    /// `HH:MM:SS`.
    var time: String { "\(Self.pad(hour, 2)):\(Self.pad(minute, 2)):\(Self.pad(second, 2))" }

    private static func pad(_ value: Int, _ width: Int) -> String {
        let text = String(value)
        return text.count >= width ? text : String(repeating: "0", count: width - text.count) + text
    }
}
