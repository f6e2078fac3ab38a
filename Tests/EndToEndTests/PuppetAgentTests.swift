import ChorusCore
import ChorusTestSupport
import Foundation
import RubyMarshal
import Testing

extension EndToEnd {
    /// The puppet agent on real nodes: each node's `plugin.puppet.command` is a wrapper that
    /// behaves like `puppet agent` (holds the catalog run lock while it works) but applies a
    /// tiny manifest masterlessly with the real `puppet apply`, in a vardir of its own.
    @Suite("Puppet agent, end to end")
    struct PuppetAgentTests {
        /// One node's Puppet: a manifest, a vardir and the wrapper script, in a temp directory.
        struct PuppetLab {
            let directory: URL

            init(_ identity: String) throws {
                directory = FileManager.default.temporaryDirectory.appendingPathComponent("chorus-puppet-e2e-\(identity)-X\(UUID().uuidString.prefix(8))")
                try FileManager.default.createDirectory(at: directory.appendingPathComponent("var/state"), withIntermediateDirectories: true)
                let d = directory.path
                try """
                    file { '\(d)/applied.txt': ensure => file, content => "applied by chorus on \(identity)\\n" }
                    file { '\(d)/applied.d': ensure => directory }
                    notify { 'chorus end to end on \(identity)': }

                    """.write(toFile: "\(d)/manifest.pp", atomically: true, encoding: .utf8)
                // Stands in for `puppet agent`: records its arguments, holds the catalog run lock as
                // the agent does, and applies the manifest with the real puppet (agent-only flags ignored).
                try """
                    #!/bin/sh
                    D='\(d)'
                    printf '%s\\n' "$@" > "$D/args.$$"
                    echo $$ > "$D/var/state/agent_catalog_run.lock"
                    puppet apply --vardir "$D/var" --publicdir "$D/var/public" --rundir "$D/var/run" --confdir "$D/conf" \\
                        --codedir "$D/code" --logdir "$D/log" --write_catalog_summary --color=false "$D/manifest.pp" > "$D/apply.log" 2>&1
                    status=$?
                    rm -f "$D/var/state/agent_catalog_run.lock"
                    exit $status

                    """.write(toFile: "\(d)/run-puppet", atomically: true, encoding: .utf8)
                chmod("\(d)/run-puppet", 0o755)
                // The real puppet for `puppet resource`, with its state kept in this lab.
                try "#!/bin/sh\nsub=$1\nshift\nexec puppet \"$sub\" --vardir '\(d)/var' --confdir '\(d)/conf' \"$@\"\n"
                    .write(toFile: "\(d)/puppet", atomically: true, encoding: .utf8)
                chmod("\(d)/puppet", 0o755)
            }

            var serverLines: [String] {
                [
                    "plugin.puppet.command = \(directory.path)/run-puppet agent",
                    "plugin.puppet.vardir = \(directory.path)/var",
                    "plugin.puppet.executable = \(directory.path)/puppet",
                    "plugin.puppet.resource_type_whitelist = file",
                ]
            }

            func path(_ relative: String) -> String { directory.appendingPathComponent(relative).path }
            var applied: Bool { FileManager.default.fileExists(atPath: path("applied.txt")) }
            /// How many times the wrapper ran.
            var runs: Int {
                ((try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []).filter { $0.hasPrefix("args.") }.count
            }
            func remove() { try? FileManager.default.removeItem(at: directory) }
        }

        /// A broker and one node per identity, each with its own PuppetLab.
        static func start(_ identities: [String], extra: [String] = []) async throws -> (Fleet, [String: PuppetLab]) {
            let profiles = identities.map { Fleet.oracleNodes[0].renamed($0) }
            let fleet = try Fleet(nodes: profiles)
            try await fleet.startBroker()
            try fleet.writeClientConfig(identity: "mcoclient", path: fleet.clientConfig)
            var labs: [String: PuppetLab] = [:]
            for profile in profiles {
                let lab = try PuppetLab(profile.identity)
                labs[profile.identity] = lab
                try fleet.startServer(profile, extra: lab.serverLines + extra)
            }
            try await fleet.waitForNodes(identities)
            return (fleet, labs)
        }

        static func replies(_ result: CommandResult) throws -> [String: [String: Any]] {
            let object = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8))
            let list = try #require(object as? [[String: Any]], "not a JSON array: \(result.stdout) \(result.stderr)")
            var table: [String: [String: Any]] = [:]
            for reply in list { table[reply["sender"] as? String ?? ""] = reply }
            return table
        }

        static func data(_ reply: [String: Any]?) throws -> [String: Any] {
            try #require(reply?["data"] as? [String: Any], "no data in \(String(describing: reply))")
        }

        /// Waits until `condition` holds (60 s at most; puppet apply takes a few seconds here).
        static func eventually(_ what: String, _ condition: () -> Bool) async throws {
            for _ in 0..<600 {
                if condition() { return }
                try await Task.sleep(for: .milliseconds(100))
            }
            Issue.record("timed out waiting until \(what)")
        }

        @Test("status, disable with a message, -S puppet().enabled=false, runonce refused, enable, a real run, last_run_summary")
        func lifecycle() async throws {
            let (fleet, labs) = try await Self.start(["node1", "node2"])
            defer {
                fleet.shutdown()
                labs.values.forEach { $0.remove() }
            }
            let lab = try #require(labs["node1"])

            var status = try Self.replies(try await fleet.chorus(["puppet", "status", "-I", "node1", "--json"]))
            var data = try Self.data(status["node1"])
            #expect(data["enabled"] as? Bool == true && data["applying"] as? Bool == false)
            #expect(data["status"] as? String == "stopped" && data["lastrun"] as? Int == 0)

            let disabled = try await fleet.chorus(["puppet", "disable", "maintenance", "-I", "node1"])
            #expect(disabled.status == 0, "\(disabled.stdout)\(disabled.stderr)")
            #expect(FileManager.default.fileExists(atPath: lab.path("var/state/agent_disabled.lock")))

            status = try Self.replies(try await fleet.chorus(["puppet", "status", "--json"]))
            data = try Self.data(status["node1"])
            #expect(data["enabled"] as? Bool == false && data["status"] as? String == "disabled")
            #expect(data["disable_message"] as? String == "maintenance")
            #expect(try Self.data(status["node2"])["enabled"] as? Bool == true)

            let text = try await fleet.chorus(["puppet", "status"])
            #expect(text.stdout.contains("node1: Currently disabled; last completed run"), "\(text.stdout)")
            #expect(text.stdout.contains("node2: Currently stopped; last completed run"))
            #expect(text.stdout.contains("Summary of Status:"))

            let selected = try await fleet.chorus(["find", "-S", "puppet().enabled=false"])
            #expect(selected.lines == ["node1"], "\(selected.stdout)\(selected.stderr)")
            let notSelected = try await fleet.chorus(["find", "-S", "puppet().enabled=true and puppet().status=stopped"])
            #expect(notSelected.lines == ["node2"])

            let refused = try await fleet.chorus(["puppet", "runonce", "--force", "-I", "node1"])
            #expect(refused.status == 2)
            #expect(refused.stdout.contains("Puppet is disabled: 'maintenance'"), "\(refused.stdout)")
            let again = try await fleet.chorus(["puppet", "disable", "-I", "node1"])
            #expect(again.status == 2 && again.stdout.contains("Already disabled"))

            let enabled = try await fleet.chorus(["puppet", "enable", "-I", "node1"])
            #expect(enabled.status == 0, "\(enabled.stdout)")
            #expect(!FileManager.default.fileExists(atPath: lab.path("var/state/agent_disabled.lock")))

            let before = Int(Date().timeIntervalSince1970)
            let run = try await fleet.chorus(["puppet", "runonce", "--force", "--noop", "-I", "node1", "--json"])
            #expect(run.status == 0, "\(run.stdout)\(run.stderr)")
            let summaryText = try #require(try Self.data(try Self.replies(run)["node1"])["summary"] as? String)
            #expect(summaryText == "Started a Puppet run using the '\(lab.path("run-puppet")) agent --onetime --no-daemonize --color=false --show_diff --verbose --no-splay --noop' command")
            try await Self.eventually("node1's run applied the manifest") { lab.applied }
            try await Self.eventually("node1's run released the catalog lock") { !FileManager.default.fileExists(atPath: lab.path("var/state/agent_catalog_run.lock")) }
            #expect(lab.runs == 1)
            #expect(try String(contentsOfFile: lab.path("applied.txt"), encoding: .utf8) == "applied by chorus on node1\n")

            let summary = try await fleet.chorus(["puppet", "summary", "-I", "node1", "--json"])
            #expect(summary.status == 0, "\(summary.stderr)")
            let object = try #require(try JSONSerialization.jsonObject(with: Data(summary.stdout.utf8)) as? [String: Any])
            let replies = try #require(object["replies"] as? [[String: Any]])
            let numbers = try Self.data(replies.first)
            let total = try #require(numbers["total_resources"] as? Int)
            let lastRun = try #require(numbers["lastrun"] as? Int)
            #expect(total >= 3, "the manifest's 3 resources plus Puppet's own")
            #expect(numbers["failed_resources"] as? Int == 0)
            #expect(lastRun >= before - 1 && lastRun <= Int(Date().timeIntervalSince1970) + 1)
            #expect((numbers["type_distribution"] as? [String: Int])?["File"] == 2)

            let graphs = try await fleet.chorus(["puppet", "summary"])
            #expect(graphs.stdout.contains("Summary statistics for 2 nodes:"))
            #expect(graphs.stdout.contains("Total resources: "))
            #expect(graphs.stdout.contains("Time since last run (seconds): "))

            let count = try await fleet.chorus(["puppet", "count"])
            #expect(count.stdout.contains("Total Puppet nodes: 2") && count.stdout.contains("Nodes currently enabled: 2"), "\(count.stdout)")

            let managed = try await fleet.chorus(["find", "-S", "resource('file[\(lab.path("applied.txt"))]').managed=true"])
            // The lab's path has upper-case letters; Puppet records references in lower case.
            #expect(managed.lines == ["node1"], "\(managed.stdout)\(managed.stderr)")
        }

        @Test("bad inputs: the client refuses them, and a node answers status 4 without running anything")
        func badInputs() async throws {
            let (fleet, labs) = try await Self.start(["node1"])
            defer {
                fleet.shutdown()
                labs.values.forEach { $0.remove() }
            }
            let lab = try #require(labs["node1"])
            for flags in [["--environment", "prod; rm -rf /"], ["--tags", "a b"], ["--server", "$(id)"]] {
                let result = try await fleet.chorus(["puppet", "runonce", "-I", "node1"] + flags)
                #expect(result.status == 1, "\(flags): \(result.stdout)")
                #expect(result.stderr.contains("Cannot validate input"), "\(result.stderr)")
            }
            let raw = try await RawClient.connect(port: fleet.port)
            let hostile: [(String, RubyHash)] = [
                ("runonce", RubyHash(symbolKeys: ["environment": "prod; rm -rf /"])),
                ("runonce", RubyHash(symbolKeys: ["tags": "a b"])),
                ("runonce", RubyHash(symbolKeys: ["server": "$(id)"])),
                ("disable", RubyHash(symbolKeys: ["message": "$(reboot)"])),
                ("resource", RubyHash(symbolKeys: ["type": "file", "name": .str(lab.path("evil")), "content": "x", "mode; id": "0644"])),
            ]
            for (action, data) in hostile {
                try await raw.sendDirected(try RawClient.request(agent: "puppet", action: action, data: data, psk: fleet.psk), to: "node1")
                let reply = try #require(try await raw.nextReply(psk: fleet.psk, timeout: .seconds(10)), "\(action) \(data)")
                let body = try #require(RPCReplyBody(reply.body))
                #expect(body.statusCode == 4, "\(action): \(body.statusMessage)")
            }
            await raw.close()
            try await Task.sleep(for: .milliseconds(500))
            #expect(lab.runs == 0)
            #expect(!FileManager.default.fileExists(atPath: lab.path("var/state/agent_disabled.lock")))
            #expect(!FileManager.default.fileExists(atPath: lab.path("evil")))

            // The resource action, allowed for files by this node's whitelist, through the real puppet resource.
            let target = lab.path("from-resource.txt")
            let resource = try await fleet.chorus(["puppet", "resource", "file", target, "ensure=file", "content=made by puppet resource", "-I", "node1", "--json"])
            #expect(resource.status == 0, "\(resource.stdout)\(resource.stderr)")
            #expect(try Self.data(try Self.replies(resource)["node1"])["changed"] as? Bool == true)
            #expect(try String(contentsOfFile: target, encoding: .utf8) == "made by puppet resource")
            let denied = try await fleet.chorus(["puppet", "resource", "package", "bash", "ensure=absent", "-I", "node1"])
            #expect(denied.status == 2 && denied.stdout.contains("The package type is not listed in the type whitelist"), "\(denied.stdout)")
        }

        @Test("runall 2 over 3 nodes: every node runs, never more than 2 at once, with progress")
        func runAll() async throws {
            let (fleet, labs) = try await Self.start(["node1", "node2", "node3"])
            defer {
                fleet.shutdown()
                labs.values.forEach { $0.remove() }
            }
            let result = try await fleet.chorus(["puppet", "runall", "2"])
            #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
            let lines = result.lines
            #expect(lines.first?.hasSuffix(": Running all nodes with a concurrency of 2") == true, "\(result.stdout)")
            #expect(lines.contains { $0.hasSuffix(": Found 3 enabled nodes") })
            for node in ["node1", "node2", "node3"] {
                #expect(lines.contains { $0.contains(": \(node) schedule status: Started a Puppet run using the '") }, "\(node)")
                #expect(lines.contains { $0.hasSuffix(": \(node) completed its run") }, "\(node)")
                #expect(labs[node]?.applied == true && labs[node]?.runs == 1, "\(node)")
            }
            #expect(lines.last?.hasSuffix(": Iteration complete. Initiated a Puppet run on 3 nodes.") == true)
            // node3 may only start once node1 or node2 has completed.
            let started3 = try #require(lines.firstIndex { $0.contains("node3 schedule status") })
            let firstDone = try #require(lines.firstIndex { $0.hasSuffix("completed its run") })
            #expect(firstDone < started3)
            let stamp = try #require(lines.first?.prefix(19))
            #expect(stamp.range(of: #"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$"#, options: .regularExpression) != nil)

            // A disabled node is left out.
            _ = try await fleet.chorus(["puppet", "disable", "busy", "-I", "node2"])
            let json = try await fleet.chorus(["puppet", "runall", "3", "--json"])
            #expect(json.status == 0, "\(json.stdout)\(json.stderr)")
            let report = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
            #expect(report["nodes"] as? [String] == ["node1", "node3"])
            #expect((report["completed"] as? [String])?.sorted() == ["node1", "node3"])
            #expect(labs["node2"]?.runs == 1)
        }

        /// Starts a program with every signal at its default and none blocked (test threads
        /// block most signals, and a plain spawn would pass that mask on).
        static func spawnWithDefaultSignals(_ executable: String, _ arguments: [String]) throws -> pid_t {
            var attributes = posix_spawnattr_t()
            posix_spawnattr_init(&attributes)
            defer { posix_spawnattr_destroy(&attributes) }
            var none = sigset_t()
            sigemptyset(&none)
            posix_spawnattr_setsigmask(&attributes, &none)
            var all = sigset_t()
            sigfillset(&all)
            posix_spawnattr_setsigdefault(&attributes, &all)
            posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
            let argv = ([executable] + arguments).map { strdup($0) } + [nil]
            defer { for pointer in argv { free(pointer) } }
            var pid: pid_t = 0
            let result = posix_spawn(&pid, executable, nil, &attributes, argv, environ)
            guard result == 0 else { throw FleetError("cannot start \(executable): \(String(cString: strerror(result)))") }
            return pid
        }

        @Test("an idling daemon is woken with SIGUSR1 instead of starting a run")
        func signalsDaemon() async throws {
            let (fleet, labs) = try await Self.start(["node1"])
            defer {
                fleet.shutdown()
                labs.values.forEach { $0.remove() }
            }
            let lab = try #require(labs["node1"])
            // A stand-in daemon: any live process named by the pid file counts as the agent daemon.
            let daemon = try Self.spawnWithDefaultSignals("/bin/sleep", ["60"])
            defer {
                kill(daemon, SIGKILL)
                var raw: Int32 = 0
                waitpid(daemon, &raw, 0)
            }
            try FileManager.default.createDirectory(atPath: lab.path("var/run"), withIntermediateDirectories: true)
            try "\(daemon)\n".write(toFile: lab.path("var/run/agent.pid"), atomically: true, encoding: .utf8)

            let status = try Self.data(try Self.replies(try await fleet.chorus(["puppet", "status", "-I", "node1", "--json"]))["node1"])
            #expect(status["status"] as? String == "idling" && status["daemon_present"] as? Bool == true && status["idling"] as? Bool == true)
            let options = try await fleet.chorus(["puppet", "runonce", "--noop", "-I", "node1"])
            #expect(options.status == 2 && options.stdout.contains("Cannot specify any custom puppet options when the daemon is running"), "\(options.stdout)")
            let run = try await fleet.chorus(["puppet", "runonce", "-I", "node1", "--json"])
            #expect(run.status == 0)
            #expect(try Self.data(try Self.replies(run)["node1"])["summary"] as? String == "Signalled the running Puppet Daemon")
            // SIGUSR1 ends `sleep` (its default action), which shows the daemon was signalled.
            var raw: Int32 = 0
            try await Self.eventually("the daemon received SIGUSR1") { waitpid(daemon, &raw, WNOHANG) == daemon }
            #expect(raw & 0x7f == SIGUSR1, "wait status \(raw)")
            #expect(lab.runs == 0)
        }
    }
}
