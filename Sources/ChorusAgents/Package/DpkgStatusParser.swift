/// Reads `dpkg-query -W -f '${Package}\t${Version}\t${Architecture}\t${Status}\n'` output.
///
/// A pure function from text to a `PackageStatus`. dpkg's state word decides `ensure` as
/// Puppet's dpkg provider does: `installed` (and the trigger states) report the version,
/// `not-installed` is `purged`, anything half-done or `config-files` is `absent`.
public enum DpkgStatusParser {
    /// The `dpkg-query --showformat` this parser reads.
    public static let format = "${Package}\\t${Version}\\t${Architecture}\\t${Status}\\n"

    /// The status of `package` (a name, or `name:arch`) in `output`; `purged` when no line names it.
    /// With several architectures installed, an installed line wins over a removed one.
    public static func status(of package: String, in output: String, provider: String) -> PackageStatus {
        let (name, wantedArch) = split(package)
        let candidates = output.split(whereSeparator: \.isNewline).compactMap(parseLine).filter {
            $0.name == name && (wantedArch == nil || $0.arch == wantedArch)
        }
        guard let line = candidates.first(where: { $0.status.isInstalled }) ?? candidates.first else {
            return PackageStatus(name: package, presence: .purged, provider: provider)
        }
        return PackageStatus(name: package, presence: line.status.presence(version: line.version), arch: line.arch, provider: provider, detail: line.status.text)
    }

    /// One line of output, nil when it does not have the four tab-separated fields.
    static func parseLine(_ line: Substring) -> Line? {
        let fields = line.split(separator: "\t", omittingEmptySubsequences: false)
        guard fields.count == 4, !fields[0].isEmpty else { return nil }
        return Line(name: String(fields[0]), version: String(fields[1]), arch: String(fields[2]), status: DpkgState(String(fields[3])))
    }

    /// `libc6:amd64` → (`libc6`, `amd64`).
    static func split(_ package: String) -> (name: String, arch: String?) {
        guard let colon = package.firstIndex(of: ":") else { return (package, nil) }
        return (String(package[..<colon]), String(package[package.index(after: colon)...]))
    }

    struct Line {
        var name: String
        var version: String
        var arch: String
        var status: DpkgState
    }
}

/// dpkg's `${Status}` field: `want error-flag state`, e.g. `install ok installed`.
struct DpkgState: Hashable {
    let text: String
    /// The last word: `installed`, `config-files`, `not-installed`, `half-installed`, …
    let state: String

    init(_ text: String) {
        self.text = text
        state = text.split(separator: " ").last.map(String.init) ?? ""
    }

    var isInstalled: Bool { ["installed", "triggers-awaited", "triggers-pending"].contains(state) }

    func presence(version: String) -> PackageStatus.Presence {
        if isInstalled { return .installed(DebianVersion(version)) }
        if state == "not-installed" { return .purged }
        return .absent
    }
}
