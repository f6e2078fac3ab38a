import Foundation

/// Reads `apt-get --simulate dist-upgrade` output: every `Inst` line that upgrades an
/// installed package (it names the old version in brackets), in the order apt prints them.
///
///     Inst bash [5.2.15-2+b8] (5.2.15-2+b13 Debian:12.15/oldstable [amd64])
///
/// becomes `bash`, `5.2.15-2+b13`, repo `Debian:12.15/oldstable`. Lines that install a
/// new package (no old version) are not upgrades and are skipped.
public enum AptSimulationParser {
    public static func outdatedPackages(in output: String) -> [OutdatedPackage] {
        output.split(whereSeparator: \.isNewline).compactMap(parse)
    }

    static func parse(_ line: Substring) -> OutdatedPackage? {
        guard line.hasPrefix("Inst ") else { return nil }
        let rest = line.dropFirst(5)
        guard let space = rest.firstIndex(of: " ") else { return nil }
        let package = rest[..<space]
        var tail = rest[rest.index(after: space)...]
        guard tail.hasPrefix("["), let close = tail.firstIndex(of: "]") else { return nil }
        tail = tail[tail.index(after: close)...].drop(while: { $0 == " " })
        guard tail.hasPrefix("("), let end = tail.firstIndex(of: ")") else { return nil }
        let inside = tail[tail.index(after: tail.startIndex)..<end]
        let words = inside.split(separator: " ", maxSplits: 1)
        guard words.count == 2 else { return nil }
        var repo = words[1]
        // The architecture closes the parentheses: "… oldstable [amd64]".
        if repo.hasSuffix("]"), let open = repo.lastIndex(of: "[") {
            repo = repo[..<open]
        }
        return OutdatedPackage(package: String(package), version: String(words[0]), repo: repo.trimmingCharacters(in: .whitespaces))
    }
}

/// Reads `apt list --upgradable` output:
///
///     chorus-test-tiny/unknown 1.1-1 all [upgradable from: 1.0-1]
///
/// becomes `chorus-test-tiny`, `1.1-1`, repo `unknown` (the suites, comma-separated).
/// The `Listing...` header and anything not shaped like an entry are skipped.
public enum AptListParser {
    public static func outdatedPackages(in output: String) -> [OutdatedPackage] {
        output.split(whereSeparator: \.isNewline).compactMap(parse)
    }

    static func parse(_ line: Substring) -> OutdatedPackage? {
        guard line.contains("[upgradable from:") else { return nil }
        let words = line.split(separator: " ")
        guard words.count >= 3, let slash = words[0].firstIndex(of: "/") else { return nil }
        return OutdatedPackage(package: String(words[0][..<slash]), version: String(words[1]), repo: String(words[0][words[0].index(after: slash)...]))
    }
}

/// Reads `yum -q check-update` output: `name.arch  version  repo` per line, up to the
/// "Obsoleting Packages" section (those are replacements, not upgrades).
public enum YumCheckUpdateParser {
    public static func outdatedPackages(in output: String) -> [OutdatedPackage] {
        var found: [OutdatedPackage] = []
        for line in output.split(whereSeparator: \.isNewline) {
            if line.lowercased().hasPrefix("obsoleting packages") { break }
            let words = line.split(whereSeparator: { $0 == " " || $0 == "\t" })
            guard words.count == 3 else { continue }
            found.append(OutdatedPackage(package: String(words[0]), version: String(words[1]), repo: String(words[2])))
        }
        return found
    }
}
