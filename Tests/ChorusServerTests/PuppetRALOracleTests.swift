import ChorusAgents
import ChorusCore
import ChorusServer
import Foundation
import RubyMarshal
import Testing

/// The ORACLE: the real Puppet 7 on this machine reads the same users, groups, hosts,
/// packages and services, and Chorus's native readers must report what it reports, field for
/// field. Documented differences: `provider` is left out except for packages (the original
/// puppetral agent prunes it), password hashes are redacted by default (this machine's shadow
/// file holds only lock markers, so the values still compare equal), and only dpkg packages
/// are read (Puppet also lists pip and gem packages; those are left out of the comparison).
///
/// Needs `puppet` and the host type (`puppet-module-puppetlabs-host-core`), which
/// scripts/interop/install.sh installs. Puppet runs in parallel, once per type.
@Suite("puppetral against the real Puppet", .serialized)
struct PuppetRALOracleTests {
    /// Resources titled like this come and go while other suites run (their test package and service).
    static func isOtherSuitesFixture(_ title: String) -> Bool { title.hasPrefix("chorus-test") }

    /// Runs a program with the agents' environment (whose PATH has no pyenv shims: Puppet's pip
    /// provider fails on them) and returns its standard output.
    static func run(_ program: String, _ arguments: [String], input: String? = nil) async throws -> String {
        let command = SystemCommand(program, arguments, standardInput: input.map { Array($0.utf8) }, timeout: .seconds(120))
        guard command.resolvedExecutable() != nil else {
            throw OracleFailure("\(program) is not installed: run scripts/interop/install.sh (it installs puppet and puppet-module-puppetlabs-host-core)")
        }
        let result = try await command.run()
        guard result.succeeded else {
            throw OracleFailure("\(result.command) \(result.outcomeDescription): \(result.combinedOutput)\nThe host type needs puppet-module-puppetlabs-host-core (scripts/interop/install.sh).")
        }
        return result.standardOutput
    }

    /// `puppet resource TYPE --to_yaml`, parsed by Ruby's YAML and handed over as JSON.
    static func puppetResource(_ arguments: [String]) async throws -> RubyValue {
        let yaml = try await run("puppet", ["resource"] + arguments + ["--to_yaml"])
        let json = try await run("ruby", ["-ryaml", "-rjson", "-e", "puts JSON.generate(YAML.safe_load(STDIN.read))"], input: yaml)
        return try RubyValue(json: json)
    }

    struct OracleFailure: Error, CustomStringConvertible {
        let description: String
        init(_ description: String) { self.description = description }
    }

    @Test("users, groups, hosts, services and apt packages: Chorus reads what puppet resource prints")
    func everyType() async throws {
        async let users = Self.puppetResource(["user"])
        async let groups = Self.puppetResource(["group"])
        async let hosts = Self.puppetResource(["host"])
        async let services = Self.puppetResource(["service"])
        async let packages = Self.puppetResource(["package"])
        let ral = PuppetRAL(settings: RALSettings())

        let puppetUsers = PuppetRALFixtures.oracle(try await users["user"] ?? .nil)
        let ourUsers = PuppetRALFixtures.table(try await ral.search(.user))
        #expect(puppetUsers["root"] != nil && ourUsers == puppetUsers)

        let puppetGroups = PuppetRALFixtures.oracle(try await groups["group"] ?? .nil)
        let ourGroups = PuppetRALFixtures.table(try await ral.search(.group))
        #expect(puppetGroups["root"] != nil && ourGroups == puppetGroups)

        let puppetHosts = PuppetRALFixtures.oracle(try await hosts["host"] ?? .nil)
        let ourHosts = PuppetRALFixtures.table(try await ral.search(.host))
        #expect(!puppetHosts.isEmpty && ourHosts == puppetHosts)

        let puppetServices = PuppetRALFixtures.oracle(try await services["service"] ?? .nil).filter { !Self.isOtherSuitesFixture($0.key) }
        let ourServices = PuppetRALFixtures.table(try await ral.search(.service)).filter { !Self.isOtherSuitesFixture($0.key) }
        #expect(!puppetServices.isEmpty)
        #expect(ourServices == puppetServices)

        let puppetPackages = PuppetRALFixtures.oracle(try await packages["package"] ?? .nil, keepProvider: true)
            .filter { $0.value["provider"] == .str("apt") && !Self.isOtherSuitesFixture($0.key) }
        let ourPackages = PuppetRALFixtures.table(try await ral.search(.package)).filter { !Self.isOtherSuitesFixture($0.key) }
        #expect(puppetPackages["bash"] != nil && puppetPackages["dpkg"] != nil)
        #expect(ourPackages["bash"] == puppetPackages["bash"])
        #expect(ourPackages["dpkg"] == puppetPackages["dpkg"])
        #expect(Set(ourPackages.keys) == Set(puppetPackages.keys))
        for (title, parameters) in puppetPackages where ourPackages[title] != parameters {
            Issue.record("package \(title): puppet \(parameters), chorus \(ourPackages[title] ?? [:])")
        }
    }

    /// What the original agent's `find` computes, through Puppet's Ruby API: the resource,
    /// pruned to its properties (packages keep `provider`), as a data hash. One Ruby process
    /// answers every reference, so Puppet loads once.
    static let findScript = #"""
        require 'puppet'
        require 'json'
        Puppet.initialize_settings
        $LOAD_PATH.unshift('/usr/share/puppet/modules/host_core/lib')
        out = {}
        ARGV.each do |ref|
          type, title = ref.split('/', 2)
          resource = Puppet::Resource.indirection.find(ref)
          provider = resource[:provider]
          hash = resource.prune_parameters.to_data_hash
          hash['parameters']['provider'] = provider.to_s if type == 'package'
          hash.delete('kind')
          out[ref] = hash
        end
        puts JSON.generate(out)
        """#

    @Test("find through the agent: type, title, tags, exported and parameters as the original agent computes them")
    func findLikeTheOriginalAgent() async throws {
        let references = [
            "user/root", "user/postgres", "user/nobody", "user/chorus-no-such-user", "group/root", "group/ssl-cert", "group/chorus-no-such-group",
            "host/localhost", "host/chorus-no-such-host", "package/bash", "package/chorus-no-such-package", "service/procps", "service/cron",
        ]
        let script = FileManager.default.temporaryDirectory.appendingPathComponent("chorus-ral-oracle-\(UUID().uuidString).rb")
        try Self.findScript.write(to: script, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: script) }
        let oracle = try RubyValue(json: try await Self.run("ruby", [script.path] + references))

        let node = try TestNode()
        defer { node.remove() }
        let agent = try PuppetRALAgent()
        for reference in references {
            let parts = reference.split(separator: "/", maxSplits: 1).map(String.init)
            let body = try await PuppetRALAgentTests.call(agent, node: node, "find", ["type": .str(parts[0]), "title": .str(parts[1])])
            let expected = try #require(oracle[reference], "\(reference)")
            #expect(body.statusCode == 0, "\(reference): \(body.statusMessage)")
            #expect(body.data["type"] == expected["type"], "\(reference)")
            #expect(body.data["title"] == expected["title"], "\(reference)")
            #expect(body.data["tags"] == expected["tags"], "\(reference)")
            #expect(body.data["exported"] == expected["exported"], "\(reference)")
            let ours = Self.byName(body.data["parameters"])
            let theirs = Self.byName(expected["parameters"])
            #expect(ours == theirs, "\(reference)")
        }
    }

    /// A hash's pairs by key name, whether the keys are Symbols or Strings.
    static func byName(_ value: RubyValue?) -> [String: RubyValue] {
        var table: [String: RubyValue] = [:]
        for pair in value?.asHash?.pairs ?? [] { table[pair.key.stringValue ?? ""] = pair.value }
        return table
    }

    @Test("a hosts file with aliases and comments: Chorus and Puppet's host provider agree, live")
    func hostsSampleLive() async throws {
        let script = #"""
            require 'puppet'
            require 'json'
            Puppet.initialize_settings
            $LOAD_PATH.unshift('/usr/share/puppet/modules/host_core/lib')
            type = Puppet::Type.type(:host)
            type.provider(:parsed).default_target = ARGV[0]
            out = {}
            type.instances.each { |r| h = r.to_resource.prune_parameters.to_data_hash; out[h['title']] = h['parameters'] }
            puts JSON.generate(out)
            """#
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("chorus-ral-hosts-\(UUID().uuidString).rb")
        try script.write(to: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: file) }
        let sample = PuppetRALFixtures.path("hosts-sample")
        let puppet = PuppetRALFixtures.oracle(try RubyValue(json: try await Self.run("ruby", [file.path, sample])))
        var settings = RALSettings()
        settings.hostsFile = sample
        let ours = PuppetRALFixtures.table(try await PuppetRAL(settings: settings).search(.host))
        #expect(puppet.count >= 8)
        #expect(ours == puppet)
    }
}
