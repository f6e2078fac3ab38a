import ChorusAgents
import Foundation
import RubyMarshal
import Testing

/// The package agent's pure parsers, fed with output recorded from the real dpkg-query,
/// apt-get and apt on Debian 12 (Tests/Fixtures/package/README.md says how).
@Suite("Package agent parsers")
struct PackageParserTests {
    static func fixture(_ name: String) throws -> String {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fixtures/package/\(name)")
        return try String(contentsOf: url, encoding: .utf8)
    }

    @Test("Debian versions split into epoch, upstream and revision")
    func debianVersions() {
        let withEpoch = DebianVersion("1:2.38.1-5+deb12u3")
        #expect((withEpoch.epoch, withEpoch.upstream, withEpoch.revision) == ("1", "2.38.1", "5+deb12u3"))
        let plain = DebianVersion("1.0-1")
        #expect((plain.epoch, plain.upstream, plain.revision) == ("0", "1.0", "1"))
        let native = DebianVersion("20230311")
        #expect((native.epoch, native.upstream, native.revision) == ("0", "20230311", ""))
        let dashes = DebianVersion("2:1.0-rc1-3")
        #expect((dashes.epoch, dashes.upstream, dashes.revision) == ("2", "1.0-rc1", "3"))
        #expect(withEpoch.description == "1:2.38.1-5+deb12u3" && plain.description == "1.0-1" && native.description == "20230311")
    }

    @Test("an installed package reports its version, parts and architecture")
    func installed() throws {
        let status = DpkgStatusParser.status(of: "chorus-test-tiny", in: try Self.fixture("dpkg-query-installed.txt"), provider: "apt")
        #expect(status.isInstalled)
        #expect(status.ensure == "1.0-1")
        #expect(status.arch == "all")
        #expect(status.detail == "install ok installed")
        let outputs = Dictionary(uniqueKeysWithValues: status.outputs.map { ($0.name, $0.value) })
        #expect(outputs == ["name": "chorus-test-tiny", "ensure": "1.0-1", "version": "1.0", "release": "1", "epoch": "0", "arch": "all", "provider": "apt"])
    }

    @Test("removed with configuration files left is absent; never seen is purged")
    func absentAndPurged() throws {
        let removed = DpkgStatusParser.status(of: "chorus-test-tiny", in: try Self.fixture("dpkg-query-config-files.txt"), provider: "apt")
        #expect(removed.presence == .absent && removed.ensure == "absent" && !removed.isInstalled)
        #expect(removed.detail == "deinstall ok config-files")
        let outputs = Dictionary(uniqueKeysWithValues: removed.outputs.map { ($0.name, $0.value) })
        #expect(outputs["version"] == .nil && outputs["arch"] == .nil && outputs["ensure"] == "absent")

        // dpkg-query printed nothing on standard output for a package it never saw.
        #expect(try Self.fixture("dpkg-query-unknown.stderr.txt").contains("no packages found matching chorus-test-tiny"))
        let unknown = DpkgStatusParser.status(of: "chorus-test-tiny", in: "", provider: "apt")
        #expect(unknown.presence == .purged && unknown.ensure == "purged")

        let forgotten = DpkgStatusParser.status(of: "gone", in: "gone\t\t\tpurge ok not-installed\n", provider: "apt")
        #expect(forgotten.ensure == "purged")
        let half = DpkgStatusParser.status(of: "half", in: "half\t1.0\tamd64\tinstall reinstreq half-installed\n", provider: "apt")
        #expect(half.ensure == "absent")
    }

    @Test("several packages: the one asked for, its epoch, and name:arch")
    func several() throws {
        let text = try Self.fixture("dpkg-query-several.txt")
        let bsdutils = DpkgStatusParser.status(of: "bsdutils", in: text, provider: "apt")
        #expect(bsdutils.ensure == "1:2.38.1-5+deb12u3")
        let outputs = Dictionary(uniqueKeysWithValues: bsdutils.outputs.map { ($0.name, $0.value) })
        #expect(outputs["epoch"] == "1" && outputs["version"] == "2.38.1" && outputs["release"] == "5+deb12u3")
        #expect(DpkgStatusParser.status(of: "libc6:amd64", in: text, provider: "apt").ensure == "2.36-9+deb12u14")
        #expect(DpkgStatusParser.status(of: "libc6:i386", in: text, provider: "apt").ensure == "purged")
        #expect(DpkgStatusParser.status(of: "bash", in: "garbage line\n" + text, provider: "apt").ensure == "5.2.15-2+b8")
    }

    @Test("apt-get --simulate dist-upgrade: every upgrade with its new version and repository")
    func aptSimulation() throws {
        let found = AptSimulationParser.outdatedPackages(in: try Self.fixture("apt-get-simulate-dist-upgrade.txt"))
        #expect(found.count == 145)
        #expect(found.contains(OutdatedPackage(package: "chorus-test-tiny", version: "1.1-1", repo: "localhost")))
        #expect(found.contains(OutdatedPackage(package: "apt", version: "2.6.2", repo: "Debian-Security:12/oldstable-security")))
        #expect(found.contains(OutdatedPackage(
            package: "libgcrypt20-dev", version: "1.10.1-3+deb12u1", repo: "Debian:12.15/oldstable, Debian-Security:12/oldstable-security")))
        #expect(found.first == OutdatedPackage(package: "base-files", version: "12.4+deb12u15", repo: "Debian:12.15/oldstable"))
        // A package an upgrade would newly install is not outdated.
        #expect(AptSimulationParser.outdatedPackages(in: "Inst libnew1 (1.0-1 Debian:12.15/oldstable [amd64])\n").isEmpty)
    }

    @Test("apt list --upgradable: the same packages, with suites as the repository")
    func aptList() throws {
        let found = AptListParser.outdatedPackages(in: try Self.fixture("apt-list-upgradable.txt"))
        #expect(found.count == 145)
        #expect(found.contains(OutdatedPackage(package: "chorus-test-tiny", version: "1.1-1", repo: "unknown")))
        #expect(found.contains(OutdatedPackage(package: "openssl", version: "3.0.22-1~deb12u2", repo: "oldstable-security")))
        let simulated = AptSimulationParser.outdatedPackages(in: try Self.fixture("apt-get-simulate-dist-upgrade.txt"))
        #expect(Set(found.map(\.package)) == Set(simulated.map(\.package)))
        #expect(Dictionary(uniqueKeysWithValues: found.map { ($0.package, $0.version) })
            == Dictionary(uniqueKeysWithValues: simulated.map { ($0.package, $0.version) }))
    }

    /// No yum on this machine, so this sample follows yum's documented layout instead of a recording.
    @Test("yum check-update: name.arch, version, repository; obsoletes are not upgrades")
    func yumCheckUpdate() {
        let text = """

            kernel.x86_64                      3.10.0-1160.119.1.el7          updates
            openssl-libs.x86_64                1:1.0.2k-26.el7_9              updates
            Obsoleting Packages
            grub2.x86_64                       1:2.02-0.87.el7                updates
            """
        #expect(YumCheckUpdateParser.outdatedPackages(in: text) == [
            OutdatedPackage(package: "kernel.x86_64", version: "3.10.0-1160.119.1.el7", repo: "updates"),
            OutdatedPackage(package: "openssl-libs.x86_64", version: "1:1.0.2k-26.el7_9", repo: "updates"),
        ])
    }

    @Test("outdated packages reply as hashes with Symbol keys package, version, repo")
    func outdatedValue() {
        let value = OutdatedPackage(package: "a", version: "1", repo: "r").rubyValue
        #expect(value == .hash(RubyHash(symbolKeys: ["package": "a", "version": "1", "repo": "r"])))
    }

    @Test("tool output keeps what a terminal would show of dpkg's progress counter")
    func tidyOutput() throws {
        let raw = try Self.fixture("apt-get-install.txt")
        #expect(raw.contains("\r"))
        let tidy = ToolOutput.tidy(raw)
        #expect(!tidy.contains("\r"))
        #expect(!tidy.contains("Reading database ... 5%"))
        #expect(tidy.contains("\n(Reading database ... 119713 files and directories currently installed.)\n"))
        #expect(tidy.hasSuffix("Setting up chorus-test-tiny (1.0-1) ..."))
        #expect(tidy.hasPrefix("Reading package lists..."))
    }

    @Test("package names: plain names pass; options, patterns and apt's modifiers do not")
    func packageNames() {
        for good in ["chorus-test-tiny", "libstdc++6", "libc6:amd64", "python3.11", "g++", "Foo_Bar"] {
            #expect(PackageName.problem(with: good) == nil, "\(good)")
        }
        for bad in ["", "-oAPT::Get::Trivial-Only=1", "--purge", "bas*", "lib?", "[ab]c", "^bash", "foo bar", "foo=1.0", "foo/bookworm",
                    "a:b:c", "a:", "$(id)", "foo;id", "+x", ".hidden"] {
            #expect(PackageName.problem(with: bad) != nil, "\(bad)")
        }
        #expect(PackageName.versionProblem(with: "1:2.38.1-5+deb12u3") == nil)
        #expect(PackageName.versionProblem(with: "1.0~rc1") == nil)
        for bad in ["", "-1", "1.0 2", "1.0*", "1/2"] {
            #expect(PackageName.versionProblem(with: bad) != nil, "\(bad)")
        }
    }
}
