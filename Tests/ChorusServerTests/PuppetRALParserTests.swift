import ChorusAgents
import ChorusServer
import Foundation
import RubyMarshal
import Testing

/// The native RAL's parsers, pure functions over this machine's files and command outputs,
/// checked against what `puppet resource` printed for the same files (the recorded oracle in
/// Tests/Fixtures/puppetral; PuppetRALOracleTests runs the real Puppet live).
@Suite("puppetral parsers")
struct PuppetRALParserTests {
    typealias F = PuppetRALFixtures

    // MARK: users and groups

    @Test("every user of this machine's passwd/shadow/group matches puppet resource user, key for key")
    func usersMatchPuppet() throws {
        let ours = F.table(try F.accounts().users())
        let puppet = F.oracle(try F.json("puppet-resource-user.json")["user"] ?? .nil)
        #expect(puppet.count > 20, "the oracle fixture lists the machine's users")
        #expect(Set(ours.keys) == Set(puppet.keys))
        for (title, parameters) in puppet {
            #expect(ours[title] == parameters, "user \(title)")
        }
    }

    @Test("user parameters come in Puppet's property order; root and postgres in full")
    func userOrderAndValues() throws {
        let accounts = try F.accounts()
        let root = accounts.user(named: "root")
        #expect(root.parameters.map(\.name) == ["ensure", "home", "uid", "gid", "comment", "shell", "password", "password_min_age", "password_max_age", "password_warn_days"])
        #expect(root["uid"] == .int(0) && root["home"] == .str("/root") && root["password"] == .str("*") && root["password_max_age"] == .int(99999))
        let postgres = accounts.user(named: "postgres")
        #expect(postgres["groups"] == .array([.str("ssl-cert")]))
        #expect(postgres["password_min_age"] == .int(-1), "an empty shadow field is -1, as Ruby's shadow library reports it")
        #expect(postgres["comment"] == .str("PostgreSQL administrator,,,"))
        #expect(accounts.user(named: "cloudsdk")["comment"] == nil, "an empty GECOS field is left out")
        #expect(accounts.user(named: "nosuchuser").parameters == [RALParameter("ensure", "absent")])
    }

    @Test("without a readable shadow file, users show no password fields (as Puppet without the shadow library)")
    func noShadow() throws {
        let accounts = RALAccounts(passwd: RALAccountFiles.passwd(try F.text("passwd")), shadow: nil, groups: RALAccountFiles.group(try F.text("group")))
        let root = accounts.user(named: "root")
        #expect(root.parameters.map(\.name) == ["ensure", "home", "uid", "gid", "comment", "shell"])
    }

    @Test("password hashes are redacted unless show_password_hashes; lock markers are shown")
    func passwordRedaction() throws {
        let redacted = try F.accounts(shadowFile: "shadow-with-hashes")
        #expect(redacted.user(named: "root")["password"] == .str("<redacted>"))
        #expect(redacted.user(named: "daemon")["password"] == nil, "daemon has no line in this shadow file")
        let shown = try F.accounts(showPasswordHashes: true, shadowFile: "shadow-with-hashes")
        #expect(shown.user(named: "root")["password"]?.stringValue?.hasPrefix("$6$Xy12abCD$") == true)
        #expect(RALPasswordPolicy.redacted("!$y$j9T$abc") == "!<redacted>")
        #expect(RALPasswordPolicy.redacted("!!$6$abc") == "!!<redacted>")
        for marker in ["*", "!", "!*", "!!", ""] {
            #expect(RALPasswordPolicy.redacted(marker) == marker)
        }
    }

    @Test("shadow fields: ages, expiry as a date, old two-field lines")
    func shadowFields() throws {
        let entries = RALAccountFiles.shadow(try F.text("shadow-with-hashes"))
        #expect(entries.map(\.name) == ["root", "alice", "bob", "carol"])
        let alice = try #require(entries.first { $0.name == "alice" })
        #expect(alice.minAge == 1 && alice.maxAge == 90 && alice.warnDays == 14 && alice.expiry == 20000)
        let carol = try #require(entries.first { $0.name == "carol" })
        #expect(carol.password == "" && carol.minAge == -1 && carol.expiry == -1)
        #expect(RALCivilDate.string(daysSinceEpoch: 0) == "1970-01-01")
        #expect(RALCivilDate.string(daysSinceEpoch: 20000) == "2024-10-04")
        #expect(RALCivilDate.string(daysSinceEpoch: 19000) == "2022-01-08")
        #expect(RALCivilDate.string(daysSinceEpoch: -1000) == "1967-04-07")
    }

    @Test("a user with an expiry and supplementary groups shows them last, groups in /etc/group order")
    func expiryAndGroups() {
        let accounts = RALAccounts(
            passwd: RALAccountFiles.passwd("alice:x:1001:1001:Alice:/home/alice:/bin/sh\n"),
            shadow: RALAccountFiles.shadow("alice:!$y$j9T$x:19001:1:90:14:30:20000:\n"),
            groups: RALAccountFiles.group("sudo:x:27:bob,alice\nalice:x:1001:\nadm:x:4:alice\nsudo:x:28:alice\n"),
            showPasswordHashes: false)
        let alice = accounts.user(named: "alice")
        #expect(alice.parameters.map(\.name).suffix(3) == ["password_warn_days", "groups", "expiry"])
        #expect(alice["groups"] == .array([.str("sudo"), .str("adm")]))
        #expect(alice["expiry"] == .str("2024-10-04"))
        #expect(alice["password"] == .str("!<redacted>"))
    }

    @Test("passwd and group parsing skips comments, NIS entries, short lines and bad ids; first name wins")
    func accountFileRobustness() {
        let passwd = "# comment\n+nis::::::\n\nbroken:x:1\nbad:x:abc:0::/:/bin/sh\nok:x:5:5::/home/ok:/bin/sh\nok:x:6:6::/:/bin/false\nweird:x:7:7:a,b:/h:/bin/sh:extra\n"
        let entries = RALAccountFiles.passwd(passwd)
        #expect(entries.map(\.name) == ["ok", "ok", "weird"])
        #expect(entries.last?.shell == "/bin/sh:extra")
        let accounts = RALAccounts(passwd: entries, shadow: nil, groups: [])
        #expect(accounts.users().map(\.title) == ["ok", "weird"])
        #expect(accounts.user(named: "ok")["uid"] == .int(5))
        let groups = RALAccountFiles.group("wheel:x:10: a , b,,\nnogid:x::\n")
        #expect(groups == [RALGroupEntry(name: "wheel", gid: 10, members: ["a", "b"])])
    }

    @Test("every group matches puppet resource group (ensure and gid; groupadd shows no members)")
    func groupsMatchPuppet() throws {
        let ours = F.table(try F.accounts().groupResources())
        let puppet = F.oracle(try F.json("puppet-resource-group.json")["group"] ?? .nil)
        #expect(puppet.count > 20)
        #expect(ours == puppet)
        #expect(try F.accounts().group(named: "nosuchgroup").parameters == [RALParameter("ensure", "absent")])
    }

    // MARK: hosts

    @Test("this machine's /etc/hosts matches puppet resource host")
    func hostsMatchPuppet() throws {
        let ours = F.table(RALHostsFile.hosts(try F.text("hosts"), target: "/etc/hosts"))
        let puppet = F.oracle(try F.json("puppet-resource-host.json")["host"] ?? .nil)
        #expect(!puppet.isEmpty)
        #expect(ours == puppet)
    }

    @Test("a hosts file with aliases, comments, IPv6 and non-entries matches Puppet's host provider, in order")
    func hostsSampleMatchesPuppet() throws {
        let resources = RALHostsFile.hosts(try F.text("hosts-sample"), target: "/etc/hosts")
        let oracle = try F.json("puppet-ral-hosts-sample.json")
        #expect(resources.map(\.title) == (oracle.asHash?.keys.compactMap(\.stringValue) ?? []))
        #expect(F.table(resources) == F.oracle(oracle))
        let web1 = try #require(resources.first { $0.title == "web1.example.com" })
        #expect(web1.parameters.map(\.name) == ["ensure", "ip", "host_aliases", "comment", "target"])
        #expect(RALHostsFile.host(named: "nosuch", in: try F.text("hosts-sample"), target: "/etc/hosts").parameters == [RALParameter("ensure", "absent")])
        #expect(RALHostsFile.host(named: "db1.example.com", in: try F.text("hosts-sample"), target: "/etc/hosts")["ip"] == .str("192.168.10.5"),
                "the first line of a name wins")
    }

    // MARK: packages

    @Test("dpkg-query output: bash as puppet resource package bash shows it; every installed package once")
    func packagesMatchPuppet() throws {
        let output = try F.text("dpkg-query.txt")
        let packages = RALDpkgPackages.packages(output)
        #expect(packages.count == output.split(separator: "\n").count)
        let bash = RALDpkgPackages.package(named: "bash", in: output)
        let puppet = F.oracle(try F.json("puppet-resource-package-bash.json")["package"] ?? .nil, keepProvider: true)
        #expect(F.parameters(bash) == puppet["bash"])
        #expect(bash.parameters.map(\.name) == ["ensure", "mark", "provider"])
        #expect(RALDpkgPackages.package(named: "nonexistentpkg", in: output).parameters == [RALParameter("ensure", "purged"), RALParameter("provider", "apt")])
    }

    @Test("dpkg states: held, removed, purged, half installed; malformed lines skipped; first name wins")
    func packageStates() throws {
        let table = F.table(RALDpkgPackages.packages(try F.text("dpkg-query-edge.txt")))
        #expect(table["libfoo1"] == ["ensure": "1.2-3", "mark": "hold", "provider": "apt"])
        #expect(table["oldpkg"]?["ensure"] == "absent")
        #expect(table["ghost"]?["ensure"] == "purged")
        #expect(table["broken"]?["ensure"] == "absent")
        #expect(table["unpacked-pkg"]?["ensure"] == "absent")
        #expect(table["halfconf"]?["ensure"] == "absent")
        #expect(table["quoted"]?["ensure"] == "1.0")
        #expect(table["two-spaces-after-desired"]?["ensure"] == "5.0", "Puppet's pattern allows several spaces between status words")
        #expect(table["two-spaces-before-name"] == nil, "but exactly one before the name")
        #expect(table.count == 8)
    }

    // MARK: services

    /// The debian provider's rules over what this machine's init scripts, rc links and
    /// commands said, against `puppet resource service` (and `service cron`, not installed).
    @Test("init scripts, invoke-rc.d answers and rc links give what puppet resource service printed")
    func servicesMatchPuppet() throws {
        let probes = try F.json("service-probes.json")
        let entries = (probes["init.d"]?.arrayValue ?? []).map { entry in
            RALServiceRules.ScriptEntry(name: entry["name"]?.stringValue ?? "", isDirectory: entry["directory"]?.boolValue ?? false,
                                        isExecutable: entry["executable"]?.boolValue ?? false)
        }
        var listings: [String: [String]] = [:]
        for pair in probes["rc"]?.asHash?.pairs ?? [] {
            listings[pair.key.stringValue ?? ""] = pair.value.arrayValue?.compactMap(\.stringValue) ?? []
        }
        func resource(_ name: String) -> [String: RubyValue] {
            let status = probes["status_exit"]?[name]?.intValue.map(Int32.init)
            let query = probes["invoke_rc_query_exit"]?[name]?.intValue.map(Int32.init)
            let enabled = RALServiceRules.debianEnabled(invokeRcExit: query, startLinks: RALServiceRules.startLinkCount(name, listings: listings))
            return ["ensure": .str(RALServiceRules.ensure(statusExit: status)), "enable": .str(enabled ? "true" : "false")]
        }
        let names = RALServiceRules.initServices(entries)
        let puppet = F.oracle(try F.json("puppet-resource-service.json")["service"] ?? .nil)
        #expect(Set(names) == Set(puppet.keys))
        for name in names {
            #expect(resource(name) == puppet[name], "service \(name)")
        }
        #expect(resource("cron") == ["ensure": "stopped", "enable": "false"], "puppet resource service cron")
        #expect(RALServiceRules.startLinkCount("procps", listings: listings) == 1, "rcS.d counts, as Puppet's /etc/rc*.d glob does")
    }

    @Test("init script listing skips hidden, excluded, non-executable, directories and Upstart links")
    func initScriptListing() {
        let entries = [
            RALServiceRules.ScriptEntry(name: "ssh", isDirectory: false, isExecutable: true),
            RALServiceRules.ScriptEntry(name: ".depend.boot", isDirectory: false, isExecutable: true),
            RALServiceRules.ScriptEntry(name: "README", isDirectory: false, isExecutable: false),
            RALServiceRules.ScriptEntry(name: "rcS", isDirectory: false, isExecutable: true),
            RALServiceRules.ScriptEntry(name: "subdir", isDirectory: true, isExecutable: true),
            RALServiceRules.ScriptEntry(name: "upstarted", isDirectory: false, isExecutable: true, linkTarget: "/lib/init/upstart-job"),
            RALServiceRules.ScriptEntry(name: "cron", isDirectory: false, isExecutable: true, linkTarget: "/opt/cron-init"),
        ]
        #expect(RALServiceRules.initServices(entries) == ["cron", "ssh"])
    }

    @Test("debian enable rules: 104/106 enabled, 101/105 count start links, others disabled")
    func debianEnableRules() {
        #expect(RALServiceRules.debianEnabled(invokeRcExit: 104, startLinks: 0))
        #expect(RALServiceRules.debianEnabled(invokeRcExit: 106, startLinks: 0))
        #expect(RALServiceRules.debianEnabled(invokeRcExit: 101, startLinks: 4))
        #expect(!RALServiceRules.debianEnabled(invokeRcExit: 105, startLinks: 3))
        #expect(!RALServiceRules.debianEnabled(invokeRcExit: 100, startLinks: 9))
        #expect(!RALServiceRules.debianEnabled(invokeRcExit: nil, startLinks: 9))
        #expect(RALServiceRules.startLinkCount("ssh", listings: ["rc2.d": ["S01ssh", "K01ssh", "S01sshd", "S1ssh"], "init.d": ["S01ssh"], "rc3.d": ["S99ssh"]]) == 2)
    }

    @Test("systemd: the units Puppet's pattern takes from list-unit-files, and is-enabled answers")
    func systemdRules() throws {
        let units = RALServiceRules.systemdServices(try F.text("systemctl-list-unit-files.txt"))
        #expect(units == [
            "apt-daily-upgrade.service", "cron.service", "getty@.service", "nftables.service", "rescue.service", "ssh.service",
            "systemd-timesyncd.service", "user-runtime-dir@.service", "x11-common.service", "wpa_supplicant-nl80211@.service",
        ])
        #expect(RALServiceRules.systemdEnabled(isEnabledOutput: "enabled\n", exit: 0) { false })
        #expect(!RALServiceRules.systemdEnabled(isEnabledOutput: "indirect\n", exit: 0) { true })
        #expect(!RALServiceRules.systemdEnabled(isEnabledOutput: "disabled\n", exit: 1) { true })
        #expect(RALServiceRules.systemdEnabled(isEnabledOutput: "", exit: 1) { true }, "Debian falls back to the init script rules")
        #expect(!RALServiceRules.systemdEnabled(isEnabledOutput: "masked\n", exit: 1) { true })
        #expect(RALServiceReader.provider(pid1Command: "systemd\n") == .systemd)
        #expect(RALServiceReader.provider(pid1Command: "process_api\n") == .debian)
        #expect(RALServiceReader.provider(pid1Command: nil) == .debian)
    }

    @Test("service titles that could reach another program are refused", arguments: ["../../bin/sh", "/etc/passwd", "-h", "--help", ".hidden", "a\nb"])
    func unsafeServiceTitles(title: String) {
        #expect(RALServiceRules.problem(withTitle: title) != nil)
    }

    @Test("ordinary service titles pass", arguments: ["cron", "getty@tty1.service", "a b", "hwclock.sh", "rabbitmq-server"])
    func safeServiceTitles(title: String) {
        #expect(RALServiceRules.problem(withTitle: title) == nil)
    }

    // MARK: resources, tags, settings

    @Test("tags: the type and a valid title, lower-cased, qualified titles split")
    func tags() {
        #expect(RALTags.tags(type: "user", title: "root") == ["user", "root"])
        #expect(RALTags.tags(type: "service", title: "hwclock.sh") == ["service", "hwclock.sh"])
        #expect(RALTags.tags(type: "package", title: "libstdc++6") == ["package"])
        #expect(RALTags.tags(type: "user", title: "User") == ["user"])
        #expect(RALTags.tags(type: "host", title: "Web1.Example.COM") == ["host", "web1.example.com"])
        #expect(RALTags.tags(type: "group", title: "a::b") == ["group", "a::b", "a", "b"])
        #expect(RALTags.tags(type: "service", title: "a b") == ["service"])
        #expect(RALTags.tags(type: "service", title: "-x") == ["service"])
    }

    @Test("search entries are Puppet 3 data hashes: String keys, Symbol-keyed parameters")
    func dataHash() {
        let resource = RALResource(type: .user, title: "root", parameters: [RALParameter("ensure", "present"), RALParameter("uid", .int(0))])
        let hash = resource.dataHash
        #expect(hash.keys == [.str("type"), .str("title"), .str("tags"), .str("exported"), .str("parameters")])
        #expect(hash["type"] == .str("User") && hash["exported"] == .bool(false))
        #expect(hash["parameters"]?.asHash?.keys == [.symbol("ensure"), .symbol("uid")])
    }

    @Test("types by name, case-insensitively; unknown types name the supported ones")
    func types() throws {
        #expect(try PuppetRAL.type(named: "User") == .user)
        #expect(RALResourceType.user.puppetName == "User")
        #expect(throws: RALError.unsupportedType("file")) { try PuppetRAL.type(named: "file") }
        #expect(RALError.unsupportedType("file").description == "Resource type 'file' is not supported: Chorus's puppetral reads group, host, package, service, user")
    }

    @Test("settings from plugin.puppetral.*; a bad service provider is an error saying what is allowed")
    func settings() throws {
        let settings = try RALSettings(PluginSettings([
            "puppetral.hosts_file": "/tmp/h", "puppetral.show_password_hashes": "yes", "puppetral.service_provider": "systemd",
            "puppetral.resourcefile": "/tmp/r", "puppet.command": "ignored",
        ]))
        #expect(settings.hostsFile == "/tmp/h" && settings.showPasswordHashes && settings.serviceProvider == .systemd && settings.resourceFile == "/tmp/r")
        let defaults = try RALSettings(PluginSettings())
        #expect(defaults.hostsFile == "/etc/hosts" && !defaults.showPasswordHashes && defaults.serviceProvider == nil)
        #expect(throws: RALError.self) { try RALSettings(PluginSettings(["puppetral.service_provider": "upstart"])) }
    }

    @Test("managed: type[title] lines of Puppet's resources.txt")
    func managed() {
        let text = "user[root]\nservice[cron]\nfile[/etc/motd]\n"
        #expect(RALManagedResources.isManaged(type: .user, title: "root", in: text))
        #expect(!RALManagedResources.isManaged(type: .user, title: "cron", in: text))
        #expect(RALManagedResources.isManaged(type: .service, title: "cron", in: text))
    }
}
