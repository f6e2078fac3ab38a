import RubyMarshal

/// The native resource abstraction layer: one reader per supported type, chosen by name.
///
/// Puppet's RAL loads Ruby providers; Chorus reads the same facts directly (account files,
/// hosts file, dpkg's database, init scripts or systemd) and reports them with the field
/// names and values `puppet resource` prints.
public struct PuppetRAL: Sendable {
    public var settings: RALSettings
    private let readers: [RALResourceType: any RALResourceReader]

    public init(settings: RALSettings = RALSettings()) {
        self.settings = settings
        readers = [
            .user: RALUserReader(settings: settings),
            .group: RALGroupReader(settings: settings),
            .host: RALHostReader(settings: settings),
            .package: RALPackageReader(settings: settings),
            .service: RALServiceReader(settings: settings),
        ]
    }

    /// The type named `name`, or an error listing the supported types.
    public static func type(named name: String) throws(RALError) -> RALResourceType {
        guard let type = RALResourceType(name: name) else { throw .unsupportedType(name) }
        return type
    }

    /// The reader of `type`.
    public func reader(for type: RALResourceType) -> any RALResourceReader {
        readers[type]!
    }

    /// Every resource of `type`.
    public func search(_ type: RALResourceType) async throws(RALError) -> [RALResource] {
        try await reader(for: type).all()
    }

    /// The resource `type[title]`, also when it does not exist.
    public func find(_ type: RALResourceType, title: String) async throws(RALError) -> RALResource {
        try await reader(for: type).find(title)
    }

    /// Whether Puppet's last run managed `type[title]`: true or false from `resources.txt`,
    /// "unknown" when there is no readable resource list (as the original agent answers).
    public func managed(_ type: RALResourceType, title: String) -> RubyValue {
        let candidates = settings.resourceFile.map { [$0] } ?? RALSettings.defaultResourceFiles
        for path in candidates {
            if let text = RALFiles.optionalText(path) {
                return .bool(RALManagedResources.isManaged(type: type, title: title, in: text))
            }
        }
        return .str("unknown")
    }
}
