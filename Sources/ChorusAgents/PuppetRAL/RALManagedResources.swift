/// Puppet's `resources.txt`: one `type[title]` per line for every resource the last Puppet
/// run managed. The original puppetral agent's `find` answers `managed` from it.
public enum RALManagedResources {
    /// The `type[title]` references in the file's text.
    public static func references(_ text: String) -> Set<String> {
        Set(text.split(whereSeparator: \.isNewline).map(String.init))
    }

    /// Whether `type[title]` is listed.
    public static func isManaged(type: RALResourceType, title: String, in text: String) -> Bool {
        references(text).contains("\(type.rawValue)[\(title)]")
    }
}
