import RubyMarshal

/// The pure half of the `fstat` data plugin (MCollective fstat_data.rb): its DDL and how a
/// `FileStatus` becomes the result hash. The node's plugin does the `stat(2)` call and the MD5.
public enum FstatData {
    public static let ddl = AgentDDL.dataPlugin(
        PluginMetadata(
            name: "fstat", description: "Retrieve file stat data for a given file", author: "R.I.Pienaar <rip@devco.net>",
            license: "ASL 2.0", version: "1.0", url: "https://docs.puppetlabs.com/mcollective/", timeout: 1),
        queryDescription: "File stat information",
        input: DataPluginDDLs.queryInput(prompt: "File Name", description: "Valid File Name", pattern: ".+", maxLength: 120),
        outputs: [
            DataPluginDDLs.output("name", "File name", "Name"),
            DataPluginDDLs.output("output", "Human readable information about the file", "Status"),
            DataPluginDDLs.output("present", "Indicates if the file exist using 0 or 1", "Present"),
            DataPluginDDLs.output("size", "File size", "Size"),
            DataPluginDDLs.output("mode", "File mode", "Mode"),
            DataPluginDDLs.output("md5", "File MD5 digest", "MD5"),
            DataPluginDDLs.output("mtime", "File modification time", "Modification time"),
            DataPluginDDLs.output("ctime", "File change time", "Change time"),
            DataPluginDDLs.output("atime", "File access time", "Access time"),
            DataPluginDDLs.output("mtime_seconds", "File modification time in seconds", "Modification time"),
            DataPluginDDLs.output("ctime_seconds", "File change time in seconds", "Change time"),
            DataPluginDDLs.output("atime_seconds", "File access time in seconds", "Access time"),
            DataPluginDDLs.output("mtime_age", "File modification age in seconds", "Modification age"),
            DataPluginDDLs.output("ctime_age", "File change age in seconds", "Change age"),
            DataPluginDDLs.output("atime_age", "File access age in seconds", "Access age"),
            DataPluginDDLs.output("uid", "File owner", "Owner"),
            DataPluginDDLs.output("gid", "File group", "Group"),
            DataPluginDDLs.output("type", "File type", "Type"),
        ])

    /// The result for file `name`: `status` nil when it does not exist (a dangling symlink
    /// included). `md5` is the hex digest of a regular file's contents (nil when not computed, which
    /// leaves `md5 => nil`; anything but a regular file gets MCollective's `0`). Times print as `%F %T` shifted
    /// by `utcOffset` seconds (the node's local time); `now` gives the `*_age` outputs.
    public static func result(name: String, status: FileStatus?, md5: String?, now: Int, utcOffset: Int) -> RubyHash {
        var result = ddl.dataQuery?.defaultReplyData() ?? RubyHash()
        func set(_ key: String, _ value: RubyValue) { result.set(value, forSymbol: key) }
        set("name", .str(name))
        set("output", .str("not present"))
        set("type", .str("unknown"))
        set("mode", .str("0000"))
        for key in ["present", "size", "mtime", "ctime", "atime", "mtime_seconds", "ctime_seconds", "atime_seconds", "md5", "uid", "gid"] {
            set(key, .int(0))
        }
        guard let status else { return result }

        set("output", .str("present"))
        set("present", .int(1))
        set("size", .int(status.size))
        set("uid", .int(status.uid))
        set("gid", .int(status.gid))
        for (key, seconds) in [("mtime", status.mtime), ("ctime", status.ctime), ("atime", status.atime)] {
            set(key, .str(CivilTime.format(seconds: seconds, utcOffset: utcOffset)))
            set("\(key)_seconds", .int(seconds))
            set("\(key)_age", .int(now - seconds))
        }
        set("mode", .str(String(status.mode, radix: 8)))
        if status.kind == .file { set("md5", md5.map(RubyValue.ascii) ?? .nil) }
        set("type", .str(status.kind.rawValue))
        return result
    }
}

/// Calendar formatting without Foundation.
public enum CivilTime {
    /// `YYYY-MM-DD HH:MM:SS` (Ruby `strftime("%F %T")`) for `seconds` since the epoch plus `utcOffset`.
    public static func format(seconds: Int, utcOffset: Int) -> String {
        let local = seconds + utcOffset
        let days = local >= 0 ? local / 86_400 : (local - 86_399) / 86_400
        let secondOfDay = local - days * 86_400
        let (year, month, day) = civil(fromDays: days)
        return "\(pad(year, 4))-\(pad(month, 2))-\(pad(day, 2)) "
            + "\(pad(secondOfDay / 3600, 2)):\(pad(secondOfDay / 60 % 60, 2)):\(pad(secondOfDay % 60, 2))"
    }

    /// Proleptic Gregorian date of a day count since 1970-01-01.
    static func civil(fromDays days: Int) -> (year: Int, month: Int, day: Int) {
        let shifted = days + 719_468  // days since 0000-03-01
        let era = (shifted >= 0 ? shifted : shifted - 146_096) / 146_097
        let dayOfEra = shifted - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthIndex = (5 * dayOfYear + 2) / 153  // 0 = March
        let day = dayOfYear - (153 * monthIndex + 2) / 5 + 1
        let month = monthIndex < 10 ? monthIndex + 3 : monthIndex - 9
        let year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
        return (year, month, day)
    }

    private static func pad(_ value: Int, _ width: Int) -> String {
        let digits = String(abs(value))
        let padded = String(repeating: "0", count: max(0, width - digits.count)) + digits
        return value < 0 ? "-" + padded : padded
    }
}
