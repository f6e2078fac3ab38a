/// Users from the account files (Puppet's `useradd` provider).
public struct RALUserReader: RALResourceReader {
    public var settings: RALSettings

    public init(settings: RALSettings) { self.settings = settings }

    public func all() async throws(RALError) -> [RALResource] { try accounts().users() }

    public func find(_ title: String) async throws(RALError) -> RALResource { try accounts().user(named: title) }

    /// The parsed passwd, shadow (when readable) and group files.
    func accounts() throws(RALError) -> RALAccounts {
        RALAccounts(
            passwd: RALAccountFiles.passwd(try RALFiles.text(settings.passwdFile, setting: "passwd_file")),
            shadow: RALFiles.optionalText(settings.shadowFile).map(RALAccountFiles.shadow),
            groups: RALAccountFiles.group(try RALFiles.text(settings.groupFile, setting: "group_file")),
            showPasswordHashes: settings.showPasswordHashes)
    }
}

/// Groups from the group file (Puppet's `groupadd` provider).
public struct RALGroupReader: RALResourceReader {
    public var settings: RALSettings

    public init(settings: RALSettings) { self.settings = settings }

    public func all() async throws(RALError) -> [RALResource] { try accounts().groupResources() }

    public func find(_ title: String) async throws(RALError) -> RALResource { try accounts().group(named: title) }

    func accounts() throws(RALError) -> RALAccounts {
        RALAccounts(passwd: [], shadow: nil, groups: RALAccountFiles.group(try RALFiles.text(settings.groupFile, setting: "group_file")))
    }
}

/// Hosts from the hosts file (Puppet's `parsed` host provider).
public struct RALHostReader: RALResourceReader {
    public var settings: RALSettings

    public init(settings: RALSettings) { self.settings = settings }

    public func all() async throws(RALError) -> [RALResource] {
        RALHostsFile.hosts(try RALFiles.text(settings.hostsFile, setting: "hosts_file"), target: settings.hostsFile)
    }

    public func find(_ title: String) async throws(RALError) -> RALResource {
        RALHostsFile.host(named: title, in: try RALFiles.text(settings.hostsFile, setting: "hosts_file"), target: settings.hostsFile)
    }
}
