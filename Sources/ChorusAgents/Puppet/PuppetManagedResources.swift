/// resources.txt: the resources the last catalog managed, one `type[title]` per line.
public enum PuppetManagedResources {
    /// The lines in lower case: Puppet writes each reference down-cased, title included
    /// (`File[/tmp/ABC]` is recorded as `file[/tmp/abc]`), so references compare that way.
    public static func parse(_ text: String) -> [String] {
        text.split(whereSeparator: \.isNewline).compactMap { line in
            line.contains("[") ? line.lowercased() : nil
        }
    }

    /// Whether `reference` (`File[/x]`, `file[/x]`) is among the parsed lines.
    public static func contains(_ reference: String, in managed: [String]) -> Bool {
        managed.contains(reference.lowercased())
    }

    /// How many resources of each type, types spelt as Puppet prints them (`File`, `Foo::Bar`).
    public static func typeDistribution(_ resources: [String]) -> [(type: String, count: Int)] {
        var counts: [String: Int] = [:]
        var order: [String] = []
        for resource in resources {
            let type = PuppetResourceName.capitalizedType(String(resource.prefix { $0 != "[" }))
            if counts[type] == nil { order.append(type) }
            counts[type, default: 0] += 1
        }
        return order.map { ($0, counts[$0]!) }
    }
}
