import ChorusAgents
import ChorusCore
import ChorusServer
import Foundation
import Logging
import RubyMarshal
import Synchronization
import Testing

@Suite("Audit: MCollective's Logfile format, JSON lines, and the audit file")
struct AuditTests {
    /// A record as MCollective's RPC::Request would carry it.
    static func record(data: RubyValue, id: String = "7d3b1f0c2a6e4b59a1c8e0f2d4b6a8c0", seconds: Int = 1_700_000_000) -> AuditRecord {
        AuditRecord(
            seconds: seconds, nanoseconds: 123_456_789, requestID: id, requestTime: 1_699_999_999, caller: "uid=0",
            sender: "mcoclient", agent: "rpcutil", action: "get_fact", data: data)
    }

    static let samples: [RubyValue] = [
        .hash(RubyHash(symbolKeys: ["fact": .str("osfamily"), "process_results": .bool(true)])),
        .hash(RubyHash()),
        .hash(RubyHash(symbolKeys: [
            "text": .str("two\nlines\n"), "list": .array([.int(1), .nil, .float(2.5), .float(1e20), .symbol("sym")]),
            "nested": .hash(RubyHash(stringKeys: ["k": .array([]), "tab\t": .str("ü €")])),
            "big": .bigInt(negative: true, magnitude: [0, 0, 0, 0, 0, 0, 0, 0, 1]),
            "re": .regexp(pattern: "^a b$", options: 1), "bin": .binary([0xFF, 0x00, 0x41]),
        ])),
        .array([.str(String(repeating: "long value ", count: 30))]),
        .hash(RubyHash(symbolKeys: ["n": .nil, "t": .bool(true), "i": .int(-7)])),
    ]

    /// The ORACLE: the real MCollective 2.12 Logfile plugin (audit/logfile.rb, loaded from the
    /// installed mcollective library) audits each record; returns the lines it wrote.
    static func mcollectiveLines(_ records: [AuditRecord]) async throws -> [String] {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("chorus-audit-oracle-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let log = directory.appendingPathComponent("audit.log").path
        let script = """
            require 'mcollective'
            require 'mcollective/audit/logfile'
            MCollective::Config.instance.instance_variable_set(:@pluginconf, {"rpcaudit.logfile" => ARGV[0]})
            request = Struct.new(:uniqid, :time, :caller, :sender, :agent, :action, :data)
            STDIN.binmode
            Marshal.load(STDIN.read).each { |fields| MCollective::RPC::Logfile.new.audit_request(request.new(*fields), nil) }
            """
        let input = RubyMarshal.encode(.array(records.map { record in
            .array([.str(record.requestID), .int(record.requestTime), .str(record.caller), .str(record.sender),
                    .str(record.agent), .str(record.action), record.data])
        }))
        // Ruby's inspect escapes what the locale's encoding cannot show ("\u00FC" under LANG=C);
        // Chorus writes text as MCollective does in a UTF-8 locale.
        var environment = SystemCommand.defaultEnvironment
        environment["LANG"] = "C.UTF-8"
        environment["LC_ALL"] = "C.UTF-8"
        let command = SystemCommand("ruby", ["-e", script, log], environment: environment, standardInput: input, timeout: .seconds(60))
        guard command.resolvedExecutable() != nil else { throw AuditOracleFailure("ruby is not installed (scripts/interop/install.sh installs it with mcollective)") }
        let result = try await command.run()
        guard result.succeeded else { throw AuditOracleFailure("\(result.command) \(result.outcomeDescription): \(result.combinedOutput)") }
        return try String(contentsOfFile: log, encoding: .utf8).split(separator: "\n").map(String.init)
    }

    struct AuditOracleFailure: Error, CustomStringConvertible {
        let description: String
        init(_ description: String) { self.description = description }
    }

    @Test("logfile lines equal what MCollective's own Logfile plugin writes, after the timestamp")
    func logfileMatchesMCollective() async throws {
        let records = Self.samples.map { Self.record(data: $0) }
        let before = Int(Date().timeIntervalSince1970)
        let theirs = try await Self.mcollectiveLines(records)
        let after = Int(Date().timeIntervalSince1970)
        try #require(theirs.count == records.count)
        let stamp = #/^\[(\d{4})-(\d\d)-(\d\d) (\d\d):(\d\d):(\d\d) UTC\] /#
        for (record, their) in zip(records, theirs) {
            let ours = AuditFormat.logfile.line(record)
            let theirMatch = try #require(their.firstMatch(of: stamp), "\(their)")
            let ourMatch = try #require(ours.firstMatch(of: stamp), "\(ours)")
            #expect(ours[ourMatch.range.upperBound...] == their[theirMatch.range.upperBound...])
            #expect(ours.hasPrefix("[2023-11-14 22:13:20 UTC] reqid="))
            // Their timestamp is the moment they wrote it, in UTC: the same clock as ours.
            var parts = tm()
            parts.tm_year = Int32(theirMatch.output.1)! - 1900
            parts.tm_mon = Int32(theirMatch.output.2)! - 1
            parts.tm_mday = Int32(theirMatch.output.3)!
            parts.tm_hour = Int32(theirMatch.output.4)!
            parts.tm_min = Int32(theirMatch.output.5)!
            parts.tm_sec = Int32(theirMatch.output.6)!
            let written = timegm(&parts)
            #expect(written >= before && written <= after)
            let ourStamp = AuditFormat.logfile.line(Self.record(data: record.data, seconds: written))
            #expect(ourStamp.hasPrefix(String(their[..<theirMatch.range.upperBound])))
        }
    }

    @Test("the UTC calendar agrees with gmtime for thousands of instants, including leap days and before 1970")
    func calendar() {
        var generator = SystemRandomNumberGenerator()
        let instants = [0, -1, 951_782_400, 951_868_799, 4_107_542_400, 1_709_164_800] + (0..<5000).map { _ in Int.random(in: -4_000_000_000...8_000_000_000, using: &generator) }
        for seconds in instants {
            var time = time_t(seconds)
            var parts = tm()
            gmtime_r(&time, &parts)
            let expected = String(format: "[%04d-%02d-%02d %02d:%02d:%02d UTC]", parts.tm_year + 1900, parts.tm_mon + 1, parts.tm_mday, parts.tm_hour, parts.tm_min, parts.tm_sec)
            let line = AuditFormat.logfile.line(Self.record(data: .nil, seconds: seconds))
            #expect(line.hasPrefix(expected), "\(seconds)")
        }
    }

    @Test("JSON lines: one object per line with ts, requestid, requesttime, caller, sender, agent, action, data in that order")
    func jsonLines() throws {
        for data in Self.samples {
            let line = AuditFormat.jsonl.line(Self.record(data: data))
            #expect(!line.contains("\n"))
            let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            #expect(object["ts"] as? String == "2023-11-14T22:13:20.123456Z")
            #expect(object["requestid"] as? String == "7d3b1f0c2a6e4b59a1c8e0f2d4b6a8c0")
            #expect(object["requesttime"] as? Int == 1_699_999_999)
            #expect(object["caller"] as? String == "uid=0" && object["sender"] as? String == "mcoclient")
            #expect(object["agent"] as? String == "rpcutil" && object["action"] as? String == "get_fact")
            #expect(line.hasSuffix(",\"data\":\(data.jsonString())}"))
            let keys = ["ts", "requestid", "requesttime", "caller", "sender", "agent", "action", "data"]
            let offsets = keys.map { line.range(of: "\"\($0)\":")?.lowerBound }
            #expect(offsets.allSatisfy { $0 != nil } && offsets.map { $0! } == offsets.map { $0! }.sorted())
        }
        let fact = AuditFormat.jsonl.line(Self.record(data: Self.samples[0]))
        #expect(fact.hasSuffix(#""data":{"fact":"osfamily","process_results":true}}"#))
    }

    @Test("control characters in the id, caller or sender cannot split or forge a logfile line")
    func escaping() {
        var record = Self.record(data: .hash(RubyHash()), id: "abc\n[2023-11-14 22:13:20 UTC] reqid=forged")
        record.sender = "evil\u{1B}[2J\r"
        let line = AuditFormat.logfile.line(record)
        #expect(!line.contains("\n") && !line.contains("\r") && !line.contains("\u{1B}"))
        #expect(line.contains(#"reqid=abc\n[2023-11-14 22:13:20 UTC] reqid=forged: "#))
        #expect(line.contains(#"@evil\e[2J\r agent="#))
        #expect(!AuditFormat.jsonl.line(record).contains("\n"))
    }

    @Test("rpcauditprovider: logfile (any case) or jsonl; anything else is refused at start with the choices")
    func providers() throws {
        let logger = Logger(label: "test")
        #expect(try AuditLog.configured(enabled: false, provider: "logfile", settings: PluginSettings(), logger: logger) == nil)
        let defaulted = try #require(try AuditLog.configured(enabled: true, provider: "", settings: PluginSettings(), logger: logger))
        #expect(defaulted.format == .logfile && defaulted.path == AuditLog.defaultPath)
        let mco = try #require(try AuditLog.configured(enabled: true, provider: "Logfile", settings: PluginSettings(["rpcaudit.logfile": "/tmp/x.log"]), logger: logger))
        #expect(mco.format == .logfile && mco.path == "/tmp/x.log")
        #expect(try AuditLog.configured(enabled: true, provider: "jsonl", settings: PluginSettings(), logger: logger)?.format == .jsonl)
        do {
            _ = try AuditLog.configured(enabled: true, provider: "syslog", settings: PluginSettings(), logger: logger)
            Issue.record("syslog accepted")
        } catch {
            #expect(error.description.contains("rpcauditprovider = syslog") && error.description.contains("jsonl"))
        }
    }

    // MARK: What is audited

    static func request(agent: String = "rpcutil", action: String, data: RubyHash) -> Request {
        var withTransport = data
        withTransport.set(.bool(true), forSymbol: "process_results")
        return Request(
            requestID: Request.newRequestID(), senderID: "mcoclient", callerID: "uid=0", agent: agent, collective: "mcollective",
            filter: Filter().rubyValue, ttl: 60, messageTime: 1_700_000_000,
            body: RPCRequestBody(agent: agent, action: action, caller: "uid=0", data: withTransport).rubyValue)
    }

    @Test("only requests MCollective audits: declared actions with valid inputs; data as received")
    func auditable() throws {
        let rpcutil = try #require(try BuiltinAgents.all().first { $0.name == "rpcutil" })
        let valid = try #require(AuditRecord.auditable(
            Self.request(action: "get_fact", data: RubyHash(symbolKeys: ["fact": .str("osfamily")])), ddl: rpcutil.ddl, seconds: 1))
        #expect(valid.data == .hash(RubyHash(symbolKeys: ["fact": .str("osfamily"), "process_results": .bool(true)])))
        #expect(valid.agent == "rpcutil" && valid.action == "get_fact" && valid.requestTime == 1_700_000_000)
        #expect(AuditRecord.auditable(Self.request(action: "frobnicate", data: RubyHash()), ddl: rpcutil.ddl, seconds: 1) == nil)
        #expect(AuditRecord.auditable(Self.request(action: "get_fact", data: RubyHash()), ddl: rpcutil.ddl, seconds: 1) == nil)
        #expect(AuditRecord.auditable(Self.request(action: "get_fact", data: RubyHash(symbolKeys: ["fact": .int(3)])), ddl: rpcutil.ddl, seconds: 1) == nil)
        // A body without :data still runs on Chorus (as inputs {}), so it is audited; MCollective
        // fails such a request before its audit (and its pp of nil would raise).
        let bare = Request(
            requestID: "r", senderID: "s", callerID: "uid=0", agent: "rpcutil", collective: "mcollective", filter: .nil, ttl: 60,
            messageTime: 5, body: .hash(RubyHash(symbolKeys: ["agent": .str("rpcutil"), "action": .str("ping")])))
        let bareRecord = try #require(AuditRecord.auditable(bare, ddl: rpcutil.ddl, seconds: 1))
        #expect(AuditFormat.logfile.line(bareRecord).hasSuffix("action=ping data=nil"))
    }

    // MARK: The file

    /// Collects what is logged, for the "logged once" check.
    final class CapturedLog: Sendable {
        let lines = Mutex<[String]>([])
        var logger: Logger {
            Logger(label: "audit-test") { _ in CapturingHandler(sink: self) }
        }
    }

    struct CapturingHandler: LogHandler {
        let sink: CapturedLog
        var logLevel: Logger.Level = .trace
        var metadata: Logger.Metadata = [:]
        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }
        func log(event: LogEvent) {
            sink.lines.withLock { $0.append("\(event.level): \(event.message)") }
        }
    }

    @Test("the file is created 0600, lines are appended, and a write failure is logged once until it recovers")
    func file() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("chorus-audit-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("audit.log").path
        let captured = CapturedLog()
        let audit = AuditLog(path: path, format: .logfile, logger: captured.logger)
        let rpcutil = try #require(try BuiltinAgents.all().first { $0.name == "rpcutil" })
        let ping = Self.request(action: "ping", data: RubyHash())

        // The directory does not exist yet: two failures, one error logged; the request goes on.
        #expect(!audit.record(ping, agent: rpcutil))
        #expect(!audit.record(ping, agent: rpcutil))
        #expect(captured.lines.withLock { $0.filter { $0.contains("cannot write the audit log") }.count } == 1)

        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        #expect(audit.record(ping, agent: rpcutil))
        #expect(audit.record(Self.request(action: "get_fact", data: RubyHash(symbolKeys: ["fact": .str("role")])), agent: rpcutil))
        #expect(!audit.record(Self.request(action: "nosuch", data: RubyHash()), agent: rpcutil))
        #expect(captured.lines.withLock { $0.contains { $0.contains("writable again") } })

        var status = stat()
        #expect(stat(path, &status) == 0)
        #expect(status.st_mode & 0o777 == 0o600)
        let lines = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: false)
        #expect(lines.count == 3 && lines[2].isEmpty)
        #expect(lines[0].hasSuffix("caller=uid=0@mcoclient agent=rpcutil action=ping data={:process_results=>true}"))
        #expect(lines[1].hasSuffix("action=get_fact data={:fact=>\"role\", :process_results=>true}"))

        // An existing file keeps its mode and is appended to.
        chmod(path, 0o640)
        #expect(audit.append("third"))
        #expect(stat(path, &status) == 0 && status.st_mode & 0o777 == 0o640)
        #expect(try String(contentsOfFile: path, encoding: .utf8).hasSuffix("}\nthird\n"))
    }

    @Test("the discovery agent is not audited (it is not a SimpleRPC agent, as in MCollective)")
    func discoveryNotAudited() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("chorus-audit-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let audit = AuditLog(path: directory.appendingPathComponent("audit.log").path, format: .jsonl, logger: Logger(label: "t"))
        let discovery = try #require(try BuiltinAgents.all().first { $0.name == "discovery" })
        let ping = Request(
            requestID: "x", senderID: "s", callerID: "uid=0", agent: "discovery", collective: "mcollective",
            filter: .nil, ttl: 60, messageTime: 0, body: .str("ping"))
        #expect(!audit.record(ping, agent: discovery))
        #expect(!FileManager.default.fileExists(atPath: audit.path))
    }
}
