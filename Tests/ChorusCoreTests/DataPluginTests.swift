import ChorusCore
import RubyMarshal
import Testing

struct DataPluginTests {
    let node = NodeSnapshot(
        identity: "node1",
        facts: RubyHash(stringKeys: [
            "role": "web",
            "networking": .hash(RubyHash(stringKeys: ["interfaces": ["eth0", "lo"], "fqdn": "node1.example"])),
            "quote": "say \"hi\"",
        ]),
        agents: ["rpcutil"], collectives: ["mcollective", "dev"],
        agentMetadata: [
            "rpcutil": PluginMetadata(
                name: "rpcutil", description: "General helpful actions", author: "R.I.Pienaar", license: "ASL 2.0",
                version: "1.0", url: "https://example.invalid", timeout: 10)
        ])

    @Test func factPluginWalksPaths() throws {
        let plugin = FactDataPlugin()
        #expect(try plugin.lookup("role", node: node) == RubyHash(symbolKeys: ["exists": true, "value": "web", "value_encoding": "text/plain"]))
        #expect(try plugin.lookup("networking.fqdn", node: node)[.symbol("value")] == "node1.example")
        #expect(try plugin.lookup("networking.interfaces.1", node: node)[.symbol("value")] == "lo")
        #expect(try plugin.lookup("networking.interfaces.-1", node: node)[.symbol("value")] == "lo")
        #expect(
            try plugin.lookup("networking", node: node)
                == RubyHash(symbolKeys: [
                    "exists": true, "value": #"{"interfaces":["eth0","lo"],"fqdn":"node1.example"}"#,
                    "value_encoding": "application/json",
                ]))
        #expect(try plugin.lookup("quote", node: node)[.symbol("value")] == #"say "hi""#)
        #expect(try plugin.lookup("nosuch.path", node: node) == RubyHash(symbolKeys: ["exists": false, "value": false, "value_encoding": false]))
        #expect(try plugin.lookup("networking.interfaces.5", node: node)[.symbol("exists")] == false)
        #expect(throws: DataPluginError.self) { try plugin.lookup("networking.interfaces.x", node: node) }
        #expect(throws: DataPluginError.self) { try plugin.lookup(nil, node: node) }
        #expect(throws: DataPluginError.self) { try plugin.lookup(String(repeating: "a", count: 257), node: node) }
    }

    @Test func collectivePlugin() throws {
        let plugin = CollectiveDataPlugin()
        #expect(try plugin.lookup("dev", node: node) == RubyHash(symbolKeys: ["member": true]))
        #expect(try plugin.lookup("prod", node: node) == RubyHash(symbolKeys: ["member": false]))
    }

    @Test func agentPluginReportsMetadataInMCollectiveOrder() throws {
        let result = try AgentDataPlugin().lookup("rpcutil", node: node)
        #expect(result.keys == [.symbol("license"), .symbol("timeout"), .symbol("description"), .symbol("url"), .symbol("version"), .symbol("author"), .symbol("agent")])
        #expect(result[.symbol("timeout")] == 10)
        #expect(result[.symbol("agent")] == "rpcutil")
        #expect(throws: DataPluginError.self) { try AgentDataPlugin().lookup("puppet", node: node) }
        #expect(throws: DataPluginError.self) { try AgentDataPlugin().lookup("bad name", node: node) }
    }

    /// The shape of the real get_data fstat reply (frames/rabbitmq_psk/55): keys, order, types.
    @Test func fstatResultMatchesTheCapturedReply() throws {
        let envelope = try OracleFrames.envelope("rabbitmq_psk/55_rpc_get_data_fstat_reply_SEND.frame")
        let body = try #require(envelope["body"]?.bytesValue)
        let captured = try #require(try RubyMarshal.decode(body)["data"]?.asHash)
        let status = FileStatus(
            kind: .file, mode: 0o100755, size: 49, uid: 0, gid: 0, mtime: 1_795_541_964, ctime: 1_795_541_964,
            atime: 1_795_541_965)
        let ours = FstatData.result(
            name: "/etc/hosts", status: status, md5: "c23b79d8c16cdfdb8fcdf9289be02196", now: 1_795_542_552, utcOffset: 0)
        #expect(ours == captured)
    }

    @Test func fstatForMissingFilesAndNonFiles() {
        let missing = FstatData.result(name: "/nope", status: nil, md5: nil, now: 100, utcOffset: 0)
        #expect(missing[.symbol("output")] == "not present")
        #expect(missing[.symbol("present")] == 0)
        #expect(missing[.symbol("mode")] == "0000")
        #expect(missing[.symbol("type")] == "unknown")
        #expect(missing[.symbol("md5")] == 0)
        #expect(missing[.symbol("mtime_age")] == .nil)
        #expect(missing.count == FstatData.ddl.dataQuery?.outputs.count)

        let directory = FileStatus(kind: .directory, mode: 0o40755, size: 4096, uid: 1, gid: 2, mtime: 86_400, ctime: 0, atime: 0)
        let result = FstatData.result(name: "/tmp", status: directory, md5: "ignored", now: 86_500, utcOffset: 3600)
        #expect(result[.symbol("type")] == "directory")
        #expect(result[.symbol("mode")] == "40755")
        #expect(result[.symbol("md5")] == 0)
        #expect(result[.symbol("mtime")] == "1970-01-02 01:00:00")
        #expect(result[.symbol("mtime_age")] == 100)
        let file = FileStatus(kind: .file, mode: 0o100644, size: 1, uid: 0, gid: 0, mtime: 0, ctime: 0, atime: 0)
        #expect(FstatData.result(name: "/f", status: file, md5: nil, now: 0, utcOffset: 0)[.symbol("md5")] == .nil)
    }

    @Test func fileKindsFromMode() {
        #expect(FileStatus.kind(fromMode: 0o100644) == .file)
        #expect(FileStatus.kind(fromMode: 0o040755) == .directory)
        #expect(FileStatus.kind(fromMode: 0o120777) == .symlink)
        #expect(FileStatus.kind(fromMode: 0o140755) == .socket)
        #expect(FileStatus.kind(fromMode: 0o020666) == .chardev)
        #expect(FileStatus.kind(fromMode: 0o060660) == .blockdev)
        #expect(FileStatus.kind(fromMode: 0o010644) == .unknown)
    }

    @Test func civilTime() {
        #expect(CivilTime.format(seconds: 0, utcOffset: 0) == "1970-01-01 00:00:00")
        #expect(CivilTime.format(seconds: 1_795_541_964, utcOffset: 0) == "2026-11-24 17:39:24")
        #expect(CivilTime.format(seconds: 951_782_400, utcOffset: 0) == "2000-02-29 00:00:00")
        #expect(CivilTime.format(seconds: -1, utcOffset: 0) == "1969-12-31 23:59:59")
        #expect(CivilTime.format(seconds: 1_700_000_000, utcOffset: -5 * 3600) == "2023-11-14 17:13:20")
    }

    @Test func pluginsWithoutAnInputRejectArguments() throws {
        struct Uptime: DataPlugin {
            let ddl = AgentDDL.dataPlugin(
                PluginMetadata(name: "uptime", description: "d", author: "a", license: "l", version: "1", url: "u", timeout: 1),
                queryDescription: "Uptime", input: nil,
                outputs: [OutputDDL(name: "seconds", description: "s", displayAs: "Seconds")])
            func query(_ argument: String?, node: some DataPluginNode) throws(DataPluginError) -> RubyHash {
                var result = emptyResult()
                result.set(42, forSymbol: "seconds")
                return result
            }
        }
        #expect(try Uptime().lookup(nil, node: node) == RubyHash(symbolKeys: ["seconds": 42]))
        #expect(throws: DataPluginError.self) { try Uptime().lookup("x", node: node) }
    }
}
