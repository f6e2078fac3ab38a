/// One line of `/etc/passwd`.
public struct RALPasswdEntry: Sendable, Hashable {
    public var name: String
    public var uid: Int
    public var gid: Int
    /// The GECOS field, Puppet's `comment`.
    public var gecos: String
    public var home: String
    public var shell: String

    public init(name: String, uid: Int, gid: Int, gecos: String, home: String, shell: String) {
        self.name = name
        self.uid = uid
        self.gid = gid
        self.gecos = gecos
        self.home = home
        self.shell = shell
    }
}

/// One line of `/etc/shadow`. Empty numeric fields are -1, as the C library (and so Ruby's
/// shadow library, which Puppet uses) reports them.
public struct RALShadowEntry: Sendable, Hashable {
    public var name: String
    /// The encrypted password, or a lock marker such as `*` or `!`.
    public var password: String
    public var minAge: Int
    public var maxAge: Int
    public var warnDays: Int
    /// Days since 1970-01-01 after which the account expires; -1 for never.
    public var expiry: Int

    public init(name: String, password: String, minAge: Int, maxAge: Int, warnDays: Int, expiry: Int) {
        self.name = name
        self.password = password
        self.minAge = minAge
        self.maxAge = maxAge
        self.warnDays = warnDays
        self.expiry = expiry
    }
}

/// One line of `/etc/group`.
public struct RALGroupEntry: Sendable, Hashable {
    public var name: String
    public var gid: Int
    /// The comma-separated member list: users who have this group as a supplementary group.
    public var members: [String]

    public init(name: String, gid: Int, members: [String]) {
        self.name = name
        self.gid = gid
        self.members = members
    }
}

/// Parsers for the colon-separated account files, as the C library's `files` backend reads
/// them: blank lines, `#` comments and NIS `+`/`-` entries are skipped, and so are lines with
/// too few fields or a non-numeric id (the C library skips those too).
public enum RALAccountFiles {
    /// The entries of an `/etc/passwd` text, in file order.
    public static func passwd(_ text: String) -> [RALPasswdEntry] {
        records(text, fields: 7).compactMap { f in
            guard let uid = Int(f[2]), let gid = Int(f[3]) else { return nil }
            return RALPasswdEntry(name: f[0], uid: uid, gid: gid, gecos: f[4], home: f[5], shell: f[6])
        }
    }

    /// The entries of an `/etc/shadow` text, in file order.
    public static func shadow(_ text: String) -> [RALShadowEntry] {
        records(text, fields: 9).map { f in
            RALShadowEntry(name: f[0], password: f[1], minAge: number(f[3]), maxAge: number(f[4]), warnDays: number(f[5]), expiry: number(f[7]))
        }
    }

    /// The entries of an `/etc/group` text, in file order.
    public static func group(_ text: String) -> [RALGroupEntry] {
        records(text, fields: 4).compactMap { f in
            guard let gid = Int(f[2]) else { return nil }
            let members = f[3].split(separator: ",").map(trimmed).filter { !$0.isEmpty }
            return RALGroupEntry(name: f[0], gid: gid, members: members)
        }
    }

    /// Lines split at `:` into exactly `fields` fields (the last keeps any further colons);
    /// lines with fewer fields are dropped. A missing trailing field of shadow lines is empty.
    static func records(_ text: String, fields: Int) -> [[String]] {
        text.split(whereSeparator: { $0 == "\n" || $0 == "\r\n" }).compactMap { raw in
            let line = raw.hasSuffix("\r") ? raw.dropLast() : raw[...]
            guard let first = line.first, first != "#", first != "+", first != "-" else { return nil }
            var parts = line.split(separator: ":", maxSplits: fields - 1, omittingEmptySubsequences: false).map(String.init)
            // The C library accepts old two-field shadow lines (name:password) and missing
            // trailing fields; passwd and group lines need every field.
            if fields == 9 && parts.count >= 2 { while parts.count < 9 { parts.append("") } }
            guard parts.count == fields, !parts[0].isEmpty else { return nil }
            return parts
        }
    }

    /// A numeric shadow field: -1 when empty or not a number.
    static func number(_ field: String) -> Int { Int(field) ?? -1 }

    /// The text without leading and trailing spaces and tabs.
    static func trimmed(_ text: Substring) -> String {
        let isBlank: (Character) -> Bool = { $0 == " " || $0 == "\t" }
        guard let start = text.firstIndex(where: { !isBlank($0) }), let end = text.lastIndex(where: { !isBlank($0) }) else { return "" }
        return String(text[start...end])
    }
}
