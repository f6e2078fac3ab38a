import ChorusCore
import ChorusTestSupport
import Foundation
import RubyMarshal
import Testing

extension EndToEnd {
    /// The package agent against the machine's real dpkg and apt: a tiny `.deb` built with
    /// dpkg-deb, published in a local apt repository, then installed, updated, removed and
    /// purged by name through `chorus package` and `chorus rpc package` on real nodes.
    /// Needs root (dpkg), like CI.
    @Suite("Package agent, end to end", .enabled(if: getuid() == 0 && FileManager.default.isExecutableFile(atPath: "/usr/bin/apt-get")))
    struct PackageAgentTests {
        static let package = "chorus-test-tiny"
        static let payload = "/usr/share/chorus-test-tiny/README"
        static let conffile = "/etc/chorus-test-tiny.conf"

        @Test("a tiny .deb: absent → apt_update → install → status → checkupdates lists 1.1-1 → update → uninstall → purge")
        func lifecycle() async throws {
            try await TinyRepository.with { repository in try await Self.lifecycle(repository) }
        }

        static func lifecycle(_ repository: TinyRepository) async throws {
            try await repository.publish(["1.0-1"])

            let fleet = try Fleet(nodes: Array(Fleet.oracleNodes.prefix(2)))
            defer { fleet.shutdown() }
            try await fleet.startBroker()
            for node in fleet.nodes { try fleet.startServer(node) }
            try fleet.writeClientConfig(identity: "mcoclient", path: fleet.clientConfig)
            try await fleet.waitForNodes(["node1", "node2"])

            // Both nodes run on this machine, so both see the same dpkg database.
            var replies = try await Self.replies(fleet, ["package", Self.package, "status", "--json"])
            #expect(Set(replies.keys) == ["node1", "node2"])
            for reply in replies.values {
                #expect(reply.statuscode == 0 && reply.data["ensure"] as? String == "purged" && reply.data["provider"] as? String == "apt")
            }

            var reply = try await Self.reply(fleet, ["rpc", "package", "apt_update", "-I", "node1", "--json"])
            #expect(reply.statuscode == 0, "\(reply.statusmsg)")
            #expect(reply.data["exitcode"] as? Int == 0)
            #expect((reply.data["output"] as? String)?.contains("file:\(repository.directory)") == true)

            reply = try await Self.reply(fleet, ["package", Self.package, "install", "-I", "node1", "--json"])
            #expect(reply.statuscode == 0, "\(reply.statusmsg)")
            #expect(reply.data["ensure"] as? String == "1.0-1" && reply.data["arch"] as? String == "all")
            #expect(reply.data["version"] as? String == "1.0" && reply.data["release"] as? String == "1" && reply.data["epoch"] as? String == "0")
            #expect((reply.data["output"] as? String)?.contains("Setting up chorus-test-tiny (1.0-1)") == true)
            #expect(try String(contentsOfFile: Self.payload, encoding: .utf8) == "tiny 1.0-1\n")

            replies = try await Self.replies(fleet, ["rpc", "package", "status", "package=\(Self.package)", "--json"])
            #expect(replies.values.map { $0.data["ensure"] as? String } == ["1.0-1", "1.0-1"])
            let text = try await fleet.chorus(["package", "status", Self.package])
            #expect(text.status == 0, "\(text.stderr)")
            #expect(text.stdout.contains("   node1: 1.0-1 (all)\n   node2: 1.0-1 (all)\n"), "\(text.stdout)")
            #expect(text.stdout.contains("Summary of Ensure:") && text.stdout.contains("1.0-1 = 2"))

            let again = try await fleet.chorus(["package", Self.package, "install", "-I", "node1", "--json"])
            #expect(again.status == 2)
            let refused = try Self.decode(again)["node1"]
            #expect(refused?.statuscode == 1 && refused?.statusmsg.hasPrefix("Package is already installed") == true)

            // A newer version appears in the repository: apt learns it, the node lists it, update installs it.
            try await repository.publish(["1.0-1", "1.1-1"])
            reply = try await Self.reply(fleet, ["package", "apt_update", "-I", "node1", "--json"])
            #expect(reply.statuscode == 0, "\(reply.statusmsg)")
            reply = try await Self.reply(fleet, ["package", "checkupdates", "-I", "node1", "--json"])
            #expect(reply.statuscode == 0 && reply.data["package_manager"] as? String == "apt")
            let listed = try #require(reply.data["outdated_packages"] as? [[String: String]])
            #expect(listed.contains { $0["package"] == Self.package && $0["version"] == "1.1-1" && $0["repo"] != nil })
            reply = try await Self.reply(fleet, ["rpc", "package", "apt_checkupdates", "-I", "node1", "--json"])
            #expect((reply.data["outdated_packages"] as? [[String: String]])?.contains { $0["package"] == Self.package } == true)

            reply = try await Self.reply(fleet, ["package", Self.package, "update", "-I", "node1", "--json"])
            #expect(reply.statuscode == 0, "\(reply.statusmsg)")
            #expect(reply.data["ensure"] as? String == "1.1-1")
            #expect(try String(contentsOfFile: Self.payload, encoding: .utf8) == "tiny 1.1-1\n")
            reply = try await Self.reply(fleet, ["package", "checkupdates", "-I", "node1", "--json"])
            #expect((reply.data["outdated_packages"] as? [[String: String]])?.contains { $0["package"] == Self.package } == false)

            reply = try await Self.reply(fleet, ["package", Self.package, "uninstall", "-I", "node1", "--json"])
            #expect(reply.statuscode == 0, "\(reply.statusmsg)")
            #expect(reply.data["ensure"] as? String == "absent" && reply.data["version"] is NSNull)
            #expect(!FileManager.default.fileExists(atPath: Self.payload))
            #expect(FileManager.default.fileExists(atPath: Self.conffile), "uninstall keeps configuration files")
            reply = try await Self.reply(fleet, ["package", "uninstall", Self.package, "-I", "node1", "--json"])
            #expect(reply.statuscode == 1 && reply.statusmsg.hasPrefix("Package is not present on the system"))

            reply = try await Self.reply(fleet, ["package", Self.package, "purge", "-I", "node1", "--json"])
            #expect(reply.statuscode == 0, "\(reply.statusmsg)")
            #expect(reply.data["ensure"] as? String == "purged")
            #expect(!FileManager.default.fileExists(atPath: Self.conffile))
            reply = try await Self.reply(fleet, ["package", Self.package, "purge", "-I", "node1", "--json"])
            #expect(reply.statuscode == 1 && reply.statusmsg.contains("already purged"))
        }

        @Test("hostile package names: the client refuses them, the node answers status 4, and no shell ever runs them")
        func hostileInput() async throws {
            let fleet = try Fleet(nodes: [Fleet.oracleNodes[0]])
            defer { fleet.shutdown() }
            try await fleet.start()
            let marker = "/tmp/chorus-package-e2e-\(UUID().uuidString)"
            let hostile = ["foo; touch \(marker)", "$(touch \(marker))", "foo; touch /tmp/x", "$(id)", String(repeating: "p", count: 200)]

            for name in hostile {
                let rpc = try await fleet.chorus(["rpc", "package", "install", "package=\(name)", "-I", "node1", "--json"])
                #expect(rpc.status == 1 && rpc.stderr.contains("Cannot validate input package"), "\(rpc.stderr)")
                let app = try await fleet.chorus(["package", name, "status", "-I", "node1"])
                #expect(app.status == 1 && app.stderr.contains("Cannot validate input package"), "\(app.stderr)")
            }

            // The client never sent those; a hand-made request proves the node refuses them itself.
            let raw = try await RawClient.connect(port: fleet.port)
            defer { Task { await raw.close() } }
            for name in hostile + ["-oDpkg::Post-Invoke::=touch \(marker)", "bash*"] {
                for action in ["install", "purge"] {
                    let request = try RawClient.request(agent: "package", action: action, data: RubyHash(symbolKeys: ["package": .str(name)]), psk: fleet.psk)
                    try await raw.sendDirected(request, to: "node1")
                    let reply = try #require(try await raw.nextReply(psk: fleet.psk, timeout: .seconds(10)), "node1 did not answer \(action) \(name)")
                    let body = try #require(RPCReplyBody(reply.body))
                    #expect(body.statusCode == 4, "\(action) \(name): \(body.statusMessage)")
                    #expect(body.statusMessage.hasPrefix("Cannot validate input package"), "\(body.statusMessage)")
                }
            }
            #expect(!FileManager.default.fileExists(atPath: marker))
            #expect(!FileManager.default.fileExists(atPath: "/tmp/x"))
        }

        // MARK: - Helpers

        struct Reply {
            var statuscode: Int
            var statusmsg: String
            var data: [String: Any]
        }

        /// `--json` replies by sender.
        static func decode(_ result: CommandResult) throws -> [String: Reply] {
            let object = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8))
            let list = try #require(object as? [[String: Any]], "not a JSON array: \(result.stdout) \(result.stderr)")
            var table: [String: Reply] = [:]
            for entry in list {
                table[entry["sender"] as? String ?? ""] = Reply(
                    statuscode: entry["statuscode"] as? Int ?? -1, statusmsg: entry["statusmsg"] as? String ?? "",
                    data: entry["data"] as? [String: Any] ?? [:])
            }
            return table
        }

        static func replies(_ fleet: Fleet, _ arguments: [String]) async throws -> [String: Reply] {
            try decode(try await fleet.chorus(arguments))
        }

        /// node1's reply to a command addressed to it.
        static func reply(_ fleet: Fleet, _ arguments: [String]) async throws -> Reply {
            let result = try await fleet.chorus(arguments)
            return try #require(try decode(result)["node1"], "no reply from node1 to \(arguments): \(result.stdout) \(result.stderr)")
        }
    }
}

/// A flat local apt repository (`deb [trusted=yes] file:DIR ./`) with versions of
/// `chorus-test-tiny` built by dpkg-deb. Each version installs
/// /usr/share/chorus-test-tiny/README and the conffile /etc/chorus-test-tiny.conf (so an
/// uninstall leaves something for purge). Cleaning up purges the package, drops the
/// sources entry and apt's copy of the repository's index, and deletes the directory.
struct TinyRepository {
    let directory: String
    let sourcesEntry: String

    /// Runs `body` with a fresh repository and cleans up afterwards, also when `body` throws.
    static func with(_ body: (TinyRepository) async throws -> Void) async throws {
        let repository = try TinyRepository()
        await purgePackage()  // a run that died earlier may have left it
        do {
            try await body(repository)
        } catch {
            await repository.remove()
            throw error
        }
        await repository.remove()
    }

    private init() throws {
        let id = "\(getpid())-\(UUID().uuidString.prefix(8))"
        directory = "/tmp/chorus-tiny-repo-\(id)"
        sourcesEntry = "/etc/apt/sources.list.d/chorus-test-tiny-\(id).list"
        // apt reads file: repositories as the unprivileged _apt user where it can.
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o755])
    }

    /// Builds each version (once) and rewrites the Packages index, then points apt at the repository.
    func publish(_ versions: [String]) async throws {
        var index = ""
        for version in versions {
            let deb = "\(directory)/chorus-test-tiny_\(version)_all.deb"
            if !FileManager.default.fileExists(atPath: deb) { try await build(version: version, into: deb) }
            let control = try await Self.run("/usr/bin/dpkg-deb", ["-f", deb])
            let size = try FileManager.default.attributesOfItem(atPath: deb)[.size] as? Int ?? 0
            let sum = try await Self.run("/usr/bin/sha256sum", [deb])
            let hash = sum.split(separator: " ").first.map(String.init) ?? ""
            index += control + "Filename: ./\((deb as NSString).lastPathComponent)\nSize: \(size)\nSHA256: \(hash)\n\n"
        }
        try index.write(toFile: "\(directory)/Packages", atomically: true, encoding: .utf8)
        try "deb [trusted=yes] file:\(directory) ./\n".write(toFile: sourcesEntry, atomically: true, encoding: .utf8)
    }

    private func build(version: String, into deb: String) async throws {
        let root = "\(directory)/root-\(version)"
        let files = [
            "DEBIAN/control": """
                Package: chorus-test-tiny
                Version: \(version)
                Architecture: all
                Maintainer: Chorus tests <tests@chorus.invalid>
                Section: misc
                Priority: optional
                Description: tiny package for the Chorus package agent tests
                 Installs one file under /usr/share/chorus-test-tiny and one conffile.

                """,
            "DEBIAN/conffiles": "/etc/chorus-test-tiny.conf\n",
            "usr/share/chorus-test-tiny/README": "tiny \(version)\n",
            "etc/chorus-test-tiny.conf": "greeting = hello\n",
        ]
        for (path, text) in files {
            let url = URL(fileURLWithPath: "\(root)/\(path)")
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true, attributes: [.posixPermissions: 0o755])
            try text.write(to: url, atomically: true, encoding: .utf8)
            try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: url.path)
        }
        _ = try await Self.run("/usr/bin/dpkg-deb", ["--root-owner-group", "-Zgzip", "--build", root, deb])
    }

    func remove() async {
        await Self.purgePackage()
        try? FileManager.default.removeItem(atPath: sourcesEntry)
        // apt's downloaded copy of this repository's index, named after its path.
        let lists = "/var/lib/apt/lists"
        let prefix = "_" + directory.dropFirst().replacingOccurrences(of: "/", with: "_") + "_."
        for file in (try? FileManager.default.contentsOfDirectory(atPath: lists)) ?? [] where file.hasPrefix(prefix) {
            try? FileManager.default.removeItem(atPath: "\(lists)/\(file)")
        }
        try? FileManager.default.removeItem(atPath: directory)
    }

    static func purgePackage() async {
        _ = try? await CommandResult.run(executable: "/usr/bin/dpkg", ["--purge", "chorus-test-tiny"], environment: ["DEBIAN_FRONTEND": "noninteractive"])
    }

    /// Runs a tool and returns its standard output; a failure names the tool and what it said.
    static func run(_ executable: String, _ arguments: [String]) async throws -> String {
        let result = try await CommandResult.run(executable: executable, arguments)
        guard result.status == 0 else { throw FleetError("\(executable) \(arguments.joined(separator: " ")) failed (\(result.status)): \(result.stderr)") }
        return result.stdout
    }
}
