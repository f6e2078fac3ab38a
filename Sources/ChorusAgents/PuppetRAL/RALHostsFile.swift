import RubyMarshal

/// `host` resources from a hosts file, as Puppet's `parsed` host provider (puppetlabs-host_core)
/// reads it: a line is an entry when it matches
/// `^([0-9a-f:]\S+)\s+([^#\s+]\S+)\s*(.*?)?(?:\s*#\s*(.*))?$` (address, name, aliases, comment);
/// comments, blank lines and anything else are skipped. The first entry of a name wins.
///
/// Each host shows `ensure`, `ip`, `host_aliases` (when there are any), `comment` (when there
/// is one) and `target` (the file).
public enum RALHostsFile {
    /// Every host entry of `text`, read from the file `target`.
    public static func hosts(_ text: String, target: String) -> [RALResource] {
        var seen = Set<String>()
        return text.split(separator: "\n", omittingEmptySubsequences: false).compactMap { line -> RALResource? in
            guard let entry = entry(line), seen.insert(entry.name).inserted else { return nil }
            var shown = RALParameterList()
            shown.add("ensure", "present")
            shown.add("ip", entry.ip)
            shown.add("host_aliases", .array(entry.aliases.map { .str($0) }))
            shown.add("comment", entry.comment)
            shown.add("target", target)
            return RALResource(type: .host, title: entry.name, parameters: shown.parameters)
        }
    }

    /// The host `name` of `text`, or `ensure => absent`.
    public static func host(named name: String, in text: String, target: String) -> RALResource {
        hosts(text, target: target).first { $0.title == name } ?? RALResource.absent(.host, name)
    }

    /// One parsed entry line.
    public struct Entry: Sendable, Hashable {
        public var ip: String
        public var name: String
        public var aliases: [String]
        public var comment: String
    }

    /// The entry on one line, nil for comments, blank lines and lines that are not entries.
    public static func entry(_ line: Substring) -> Entry? {
        guard let first = line.first, first != "#" else { return nil }
        guard let match = try? pattern.wholeMatch(in: line) else { return nil }
        let aliases = match.output.3.map { $0.split(whereSeparator: isRubySpace).map(String.init) } ?? []
        return Entry(ip: String(match.output.1), name: String(match.output.2), aliases: aliases, comment: match.output.4.map(String.init) ?? "")
    }

    /// Ruby's `\s`: space, tab, newline, vertical tab, form feed, carriage return.
    static func isRubySpace(_ c: Character) -> Bool {
        c == " " || c == "\t" || c == "\n" || c == "\u{0B}" || c == "\u{0C}" || c == "\r"
    }

    nonisolated(unsafe) static let pattern = #/([0-9a-f:]\S+)\s+([^#\s+]\S+)\s*(.*?)?(?:\s*#\s*(.*))?/#.asciiOnlyWhitespace()
}
