import RubyMarshal

/// Users and groups as Puppet's `useradd` and `groupadd` providers report them, built from
/// the parsed account files.
///
/// Users show `ensure`, `home`, `uid`, `gid`, `comment`, `shell`, then (when the shadow file
/// was readable) `password`, `password_min_age`, `password_max_age`, `password_warn_days`,
/// then `groups` (supplementary groups, in `/etc/group` order) and `expiry` (`YYYY-MM-DD`).
/// Empty values are left out, as Puppet prunes them. Groups show `ensure` and `gid`: Puppet's
/// `groupadd` provider cannot manage members without libuser, so it does not show them.
public struct RALAccounts: Sendable, Hashable {
    public var passwd: [RALPasswdEntry]
    /// nil when the shadow file could not be read (Puppet then shows no password fields).
    public var shadow: [RALShadowEntry]?
    public var groups: [RALGroupEntry]
    /// Show password hashes as they are; otherwise they are replaced (see `RALPasswordPolicy`).
    public var showPasswordHashes: Bool

    public init(passwd: [RALPasswdEntry], shadow: [RALShadowEntry]?, groups: [RALGroupEntry], showPasswordHashes: Bool = false) {
        self.passwd = passwd
        self.shadow = shadow
        self.groups = groups
        self.showPasswordHashes = showPasswordHashes
    }

    /// Every user, once each (the first line of a name wins), in file order.
    public func users() -> [RALResource] {
        unique(passwd, by: \.name).map(user)
    }

    /// The user `name`, or `ensure => absent`.
    public func user(named name: String) -> RALResource {
        guard let entry = passwd.first(where: { $0.name == name }) else { return RALResource.absent(.user, name) }
        return user(entry)
    }

    /// Every group, once each, in file order.
    public func groupResources() -> [RALResource] {
        unique(groups, by: \.name).map(group)
    }

    /// The group `name`, or `ensure => absent`.
    public func group(named name: String) -> RALResource {
        guard let entry = groups.first(where: { $0.name == name }) else { return RALResource.absent(.group, name) }
        return group(entry)
    }

    func user(_ entry: RALPasswdEntry) -> RALResource {
        var shown = RALParameterList()
        shown.add("ensure", "present")
        shown.add("home", entry.home)
        shown.add("uid", entry.uid)
        shown.add("gid", entry.gid)
        shown.add("comment", entry.gecos)
        shown.add("shell", entry.shell)
        if let record = shadow?.first(where: { $0.name == entry.name }) {
            shown.add("password", showPasswordHashes ? record.password : RALPasswordPolicy.redacted(record.password))
            shown.add("password_min_age", record.minAge)
            shown.add("password_max_age", record.maxAge)
            shown.add("password_warn_days", record.warnDays)
        }
        var memberOf: [String] = []
        for group in groups where group.members.contains(entry.name) && !memberOf.contains(group.name) {
            memberOf.append(group.name)
        }
        shown.add("groups", .array(memberOf.map { .str($0) }))
        if let record = shadow?.first(where: { $0.name == entry.name }), record.expiry >= 0 {
            shown.add("expiry", RALCivilDate.string(daysSinceEpoch: record.expiry))
        }
        return RALResource(type: .user, title: entry.name, parameters: shown.parameters)
    }

    func group(_ entry: RALGroupEntry) -> RALResource {
        RALResource(type: .group, title: entry.name, parameters: [RALParameter("ensure", "present"), RALParameter("gid", .int(entry.gid))])
    }

    private func unique<T>(_ entries: [T], by name: KeyPath<T, String>) -> [T] {
        var seen = Set<String>()
        return entries.filter { seen.insert($0[keyPath: name]).inserted }
    }
}

/// What Chorus shows of a password hash. Puppet shows root the hash itself; Chorus keeps
/// secrets out of casual output, so by default a hash becomes `<redacted>` (after any `!`
/// lock marks, which are not secret). Values that are only lock markers (`*`, `!`, `!*`) or
/// empty are shown as they are. `plugin.puppetral.show_password_hashes = true` shows hashes.
public enum RALPasswordPolicy {
    public static let placeholder = "<redacted>"

    public static func redacted(_ password: String) -> String {
        if password.allSatisfy({ $0 == "!" || $0 == "*" }) { return password }
        let locks = password.prefix { $0 == "!" }
        return locks + placeholder
    }
}

/// Parameters in the order they are added, leaving out what Puppet prunes: empty strings,
/// empty arrays and `absent` (except for `ensure`).
struct RALParameterList {
    var parameters: [RALParameter] = []

    mutating func add(_ name: String, _ value: RubyValue) {
        switch value {
        case .nil: return
        case .array(let items) where items.isEmpty: return
        case .string(let text) where text.bytes.isEmpty: return
        case .string(let text) where name != "ensure" && text.text == "absent": return
        default: parameters.append(RALParameter(name, value))
        }
    }

    mutating func add(_ name: String, _ value: String) { add(name, .str(value)) }
    mutating func add(_ name: String, _ value: Int) { add(name, .int(value)) }
}

extension RALResource {
    /// A resource that does not exist: `ensure => absent` only (users, groups, hosts).
    static func absent(_ type: RALResourceType, _ title: String) -> RALResource {
        RALResource(type: type, title: title, parameters: [RALParameter("ensure", "absent")])
    }
}

/// Days since 1970-01-01 as a proleptic Gregorian `YYYY-MM-DD` date (Ruby's
/// `(Date.new(1970,1,1) + days).strftime('%Y-%m-%d')`).
public enum RALCivilDate {
    public static func string(daysSinceEpoch days: Int) -> String {
        // Howard Hinnant's civil_from_days.
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let mp = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        let year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
        func pad(_ n: Int, _ width: Int) -> String {
            let digits = String(n)
            return String(repeating: "0", count: max(0, width - digits.count)) + digits
        }
        return "\(pad(year, 4))-\(pad(month, 2))-\(pad(day, 2))"
    }
}
