import ChorusAgents
import ChorusServer
import Foundation
import Logging
import Testing

/// `ExternalAgentLoader` over real temporary libdirs with real files and permission bits.
@Suite("External agents: finding them in libdirs")
struct ExternalAgentLoaderTests {
    /// A throw-away libdir; `add` writes `agent/<file>` with the given mode.
    struct Libdir {
        let path: String

        init() throws {
            path = FileManager.default.temporaryDirectory.appendingPathComponent("chorus-libdir-\(UUID().uuidString)").path
            try FileManager.default.createDirectory(atPath: path + "/agent", withIntermediateDirectories: true)
        }

        func add(_ file: String, _ text: String, mode: Int = 0o644) throws {
            let target = "\(path)/agent/\(file)"
            try text.write(toFile: target, atomically: false, encoding: .utf8)
            try FileManager.default.setAttributes([.posixPermissions: mode], ofItemAtPath: target)
        }

        /// An executable agent and its JSON DDL (naming `ddlName`, the file name by default).
        func addAgent(_ name: String, ddlName: String? = nil, mode: Int = 0o755) throws {
            try add(name, "#!/bin/sh\necho '{}'\n", mode: mode)
            try add("\(name).json", ExternalAgentLoaderTests.ddl(ddlName ?? name))
        }

        func remove() { try? FileManager.default.removeItem(atPath: path) }
    }

    static func ddl(_ name: String) -> String {
        """
        {"metadata": {"name": "\(name)", "description": "test agent", "author": "tests", "license": "MIT",
                      "version": "1.0", "url": "https://example.com", "timeout": 2},
         "actions": [{"name": "go", "description": "Goes", "outputs": [{"name": "out", "description": "Out", "display_as": "Out"}]}]}
        """
    }

    static let logger = Logger(label: "loader-test")

    @Test("loads executables with DDLs; warns about every candidate it skips, and why")
    func scan() throws {
        let first = try Libdir()
        let second = try Libdir()
        defer {
            first.remove()
            second.remove()
        }
        try first.addAgent("good")
        try first.add("nodl", "#!/bin/sh\n", mode: 0o755)
        try first.addAgent("rpcutil")
        try first.addAgent("Bad-Name")
        try first.addAgent("plain", mode: 0o644)
        try first.add("clientonly.json", Self.ddl("clientonly"))
        try first.add("README.md", "docs")
        try first.add("good.py", "#!/usr/bin/env python3\n", mode: 0o755)
        try first.add("notes", "not an agent")
        try first.addAgent("wrongname", ddlName: "other")
        try first.add("broken", "#!/bin/sh\n", mode: 0o755)
        try first.add("broken.json", #"{"metadata": {"name": "broken"}, "actions": []}"#)
        try first.addAgent("open", mode: 0o777)
        try FileManager.default.createDirectory(atPath: first.path + "/agent/subdir", withIntermediateDirectories: true)
        try second.addAgent("good")
        try second.addAgent("second")

        let settings = PluginSettings(["good.mode": "fast", "second.mode": "slow", "other.x": "y"])
        let loader = ExternalAgentLoader(libdirs: [first.path, "/nonexistent/libdir", second.path + "/"], settings: settings, logger: Self.logger)
        let scan = loader.scan(reserved: ["rpcutil", "discovery"])

        #expect(scan.agents.map(\.name) == ["good", "second"])
        #expect(scan.agents.map(\.executable) == ["\(first.path)/agent/good", "\(second.path)/agent/second"])
        #expect(scan.agents.map(\.settings) == [PluginSettings(["mode": "fast"]), PluginSettings(["mode": "slow"])])
        #expect(scan.agents.first?.ddl.metadata.timeout == 2)

        let expected: [(String, String)] = [
            ("/agent/Bad-Name", "'Bad-Name' is not a valid agent name"),
            ("/agent/broken", "its DDL is invalid"),
            ("/agent/nodl", "it has no DDL; write \(first.path)/agent/nodl.json"),
            ("/agent/open", "writable by every user"),
            ("/agent/plain", "the file is not executable (chmod +x it"),
            ("/agent/rpcutil", "rpcutil is a built-in agent, which takes precedence"),
            ("/agent/wrongname", "names the agent 'other', not 'wrongname'"),
            ("/agent/good", "\(first.path)/agent/good (an earlier libdir) already provides good"),
        ]
        #expect(scan.warnings.count == expected.count, "\(scan.warnings)")
        for (warning, (path, reason)) in zip(scan.warnings, expected) {
            #expect(warning.contains(path) && warning.contains(reason), "\(warning)")
        }
        #expect(!scan.warnings.contains { $0.contains("clientonly") || $0.contains("README") || $0.contains("good.py") || $0.contains("notes") || $0.contains("subdir") })
    }

    @Test("the node's agents: the built-ins first, then the external ones; a clash leaves the built-in in place")
    func afterBuiltins() throws {
        let libdir = try Libdir()
        defer { libdir.remove() }
        try libdir.addAgent("extra")
        try libdir.addAgent("rpcutil")
        let builtins = try BuiltinAgents.all()
        let agents = ExternalAgentLoader(libdirs: [libdir.path], settings: PluginSettings(), logger: Self.logger).agents(after: builtins)
        #expect(agents.map(\.name) == builtins.map(\.name) + ["extra"])
        #expect(agents.filter { $0.name == "rpcutil" }.count == 1)
        #expect(!(agents.first { $0.name == "rpcutil" } is ExternalAgent))
    }

    @Test("a Ruby DDL (<name>.ddl) is accepted when there is no <name>.json; the JSON one wins when both exist")
    func rubyDDL() throws {
        let libdir = try Libdir()
        defer { libdir.remove() }
        let ruby = """
            metadata :name => "legacy", :description => "An agent with a Ruby DDL", :author => "tests",
                     :license => "MIT", :version => "1.0", :url => "https://example.com", :timeout => 7

            action "go", :description => "Goes" do
                output :out, :description => "Out", :display_as => "Out"
            end
            """
        try libdir.add("legacy", "#!/bin/sh\n", mode: 0o755)
        try libdir.add("legacy.ddl", ruby)
        try libdir.addAgent("both")
        try libdir.add("both.ddl", "this is not Ruby DDL")
        let scan = ExternalAgentLoader(libdirs: [libdir.path], settings: PluginSettings(), logger: Self.logger).scan(reserved: [])
        #expect(scan.warnings.isEmpty, "\(scan.warnings)")
        #expect(scan.agents.map(\.name) == ["both", "legacy"])
        #expect(scan.agents.last?.ddl.metadata.timeout == 7)
        #expect(scan.agents.last?.ddl.action(named: "go")?.outputs.map(\.name) == ["out"])
    }

    @Test("agent names: a lower-case letter, then lower-case letters, digits and _")
    func names() {
        for good in ["kv", "a", "package_v2", "x9"] { #expect(ExternalAgentLoader.isValidName(good), "\(good)") }
        for bad in ["", "9x", "_x", "Kv", "my-agent", "kv.py", "kv~", "ké"] { #expect(!ExternalAgentLoader.isValidName(bad), "\(bad)") }
    }
}
