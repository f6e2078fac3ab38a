import RubyMarshal

/// `package` resources from `dpkg-query -W --showformat '${Status} ${Package} ${Version}\n'`,
/// as Puppet's `apt` provider (which lists packages through `dpkg`) reports them.
///
/// `ensure` is the installed version; `purged` for packages dpkg only remembers
/// (`not-installed`); `absent` for packages half installed, unpacked, half configured or with
/// only their configuration files left. `mark` is `hold` when the package is held, otherwise
/// `none`. `provider` is `apt`, which Puppet's agent keeps for packages.
public enum RALDpkgPackages {
    /// The `dpkg-query` arguments whose output `packages` reads.
    public static let queryArguments = ["-W", "--showformat", "${Status} ${Package} ${Version}\\n"]

    /// Every package in the output, once each (the first line of a name wins), in output order.
    public static func packages(_ output: String) -> [RALResource] {
        var seen = Set<String>()
        return output.split(separator: "\n").compactMap { line in
            guard let record = record(line), seen.insert(record.name).inserted else { return nil }
            return resource(record)
        }
    }

    /// The package `name`, or `ensure => purged` (what Puppet reports for a package dpkg does not know).
    public static func package(named name: String, in output: String) -> RALResource {
        packages(output).first { $0.title == name }
            ?? RALResource(type: .package, title: name, parameters: [RALParameter("ensure", "purged"), RALParameter("provider", "apt")])
    }

    /// One line: the three words of the status (desired action, error flag, state), then the name and version.
    public struct Record: Sendable, Hashable {
        public var desired: String
        public var error: String
        public var status: String
        public var name: String
        public var version: String
    }

    /// Puppet's `^'?(\S+) +(\S+) +(\S+) (\S+) (\S*)$` over one line.
    public static func record(_ line: Substring) -> Record? {
        var rest = line
        if rest.first == "'" { rest = rest.dropFirst() }
        func word() -> Substring? {
            let end = rest.firstIndex(where: { $0 == " " || $0 == "\t" }) ?? rest.endIndex
            let found = rest[..<end]
            rest = rest[end...]
            return found.isEmpty ? nil : found
        }
        func spaces(exactlyOne: Bool) -> Bool {
            let count = rest.prefix { $0 == " " }.count
            if exactlyOne ? count != 1 : count < 1 { return false }
            rest = rest.dropFirst(count)
            return true
        }
        guard let desired = word(), spaces(exactlyOne: false),
              let error = word(), spaces(exactlyOne: false),
              let status = word(), spaces(exactlyOne: true),
              let name = word(), spaces(exactlyOne: true) else { return nil }
        let version = rest
        guard !version.contains(where: { $0 == " " || $0 == "\t" }) else { return nil }
        return Record(desired: String(desired), error: String(error), status: String(status), name: String(name), version: String(version))
    }

    static func resource(_ record: Record) -> RALResource {
        let ensure: String
        switch record.status {
        case "not-installed": ensure = "purged"
        case "config-files", "half-installed", "unpacked", "half-configured": ensure = "absent"
        default: ensure = record.version
        }
        var shown = RALParameterList()
        shown.add("ensure", ensure)
        shown.add("mark", record.desired == "hold" ? "hold" : "none")
        shown.add("provider", "apt")
        return RALResource(type: .package, title: record.name, parameters: shown.parameters)
    }
}
