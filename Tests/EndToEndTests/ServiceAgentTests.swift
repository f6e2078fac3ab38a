import ChorusCore
import ChorusTestSupport
import Foundation
import RubyMarshal
import Testing

extension EndToEnd {
    /// The service agent and `chorus service` through a real broker and real nodes, on a real
    /// LSB init script (`/etc/init.d/chorus-test-svc`, a `sleep` daemon under
    /// start-stop-daemon) that the nodes drive with Debian's `service`. systemd is not PID 1
    /// on the build machine, so nodes detect the init provider; forcing systemd is tested
    /// for its failure message.
    @Suite("Service agent, end to end")
    struct ServiceAgentTests {
        static let service = "chorus-test-svc"
        static let scriptPath = "/etc/init.d/chorus-test-svc"
        static let pidFile = "/run/chorus-test-svc.pid"
        static let systemdRunning = FileManager.default.fileExists(atPath: "/run/systemd/system")

        static let script = """
            #!/bin/sh
            ### BEGIN INIT INFO
            # Provides:          chorus-test-svc
            # Required-Start:    $remote_fs
            # Required-Stop:     $remote_fs
            # Default-Start:     2 3 4 5
            # Default-Stop:      0 1 6
            # Short-Description: Chorus end-to-end test daemon (sleeps)
            ### END INIT INFO
            NAME=chorus-test-svc
            DAEMON=/usr/bin/sleep
            PIDFILE=\(pidFile)
            . /lib/lsb/init-functions
            case "$1" in
              start)
                start-stop-daemon --start --quiet --background --make-pidfile --pidfile $PIDFILE --exec $DAEMON -- 100000
                ;;
              stop)
                start-stop-daemon --stop --quiet --retry TERM/5/KILL/2 --oknodo --pidfile $PIDFILE --exec $DAEMON
                status=$?
                rm -f $PIDFILE
                exit $status
                ;;
              restart)
                "$0" stop && "$0" start
                ;;
              status)
                status_of_proc -p $PIDFILE $DAEMON $NAME
                ;;
              *)
                echo "Usage: $0 {start|stop|restart|status}" >&2
                exit 3
                ;;
            esac

            """

        /// Installs the init script; `remove` kills the daemon and deletes script and pid file.
        static func installScript() throws {
            removeScript()
            try script.write(toFile: scriptPath, atomically: true, encoding: .utf8)
            chmod(scriptPath, 0o755)
        }

        static func removeScript() {
            if let pid = daemonPID { kill(pid, SIGKILL) }
            try? FileManager.default.removeItem(atPath: scriptPath)
            try? FileManager.default.removeItem(atPath: pidFile)
        }

        /// The daemon's pid when the pid file names a live process.
        static var daemonPID: pid_t? {
            guard let text = try? String(contentsOfFile: pidFile, encoding: .utf8),
                let pid = pid_t(text.trimmingCharacters(in: .whitespacesAndNewlines)), ProcessState.isAlive(pid)
            else { return nil }
            return pid
        }

        /// Each reply's `statuscode`, `statusmsg` and `data.status`, by sender.
        static func states(_ result: CommandResult) throws -> [String: (code: Int, message: String, status: String?)] {
            var table: [String: (code: Int, message: String, status: String?)] = [:]
            for reply in try RPCTests.replies(result) {
                let sender = try #require(reply["sender"] as? String)
                #expect(reply["agent"] as? String == "service")
                table[sender] = (reply["statuscode"] as? Int ?? -1, reply["statusmsg"] as? String ?? "", (reply["data"] as? [String: Any])?["status"] as? String)
            }
            return table
        }

        @Test("status, start, restart, stop on a real init script through two nodes; unknown services; silent nodes", .enabled(if: getuid() == 0))
        func lifecycle() async throws {
            try Self.installScript()
            defer { Self.removeScript() }
            let fleet = try Fleet(nodes: Array(Fleet.oracleNodes.prefix(2)))
            defer { fleet.shutdown() }
            try await fleet.start()
            let name = Self.service

            let stopped = try await fleet.chorus(["service", name, "status", "--json"])
            #expect(stopped.status == 0, "\(stopped.stderr)")
            let before = try Self.states(stopped)
            #expect(Set(before.keys) == ["node1", "node2"])
            #expect(before.values.allSatisfy { $0.code == 0 && $0.status == "stopped" })

            let text = try await fleet.chorus(["service", "status", name])
            #expect(text.status == 0)
            #expect(text.stdout.contains("   node1: stopped\n") && text.stdout.contains("   node2: stopped\n"))
            #expect(text.stdout.contains("Summary of Service Status:"))
            #expect(text.stdout.contains("stopped = 2"))
            #expect(text.stdout.contains("Finished processing 2 / 2 hosts"))

            let start = try await fleet.chorus(["service", name, "start", "-I", "node1", "--json"])
            #expect(start.status == 0, "\(start.stdout)\(start.stderr)")
            #expect(try Self.states(start)["node1"]?.status == "running")
            let firstPID = try #require(Self.daemonPID, "no daemon after start")
            #expect(try String(contentsOfFile: "/proc/\(firstPID)/cmdline", encoding: .utf8) == "/usr/bin/sleep\u{0}100000\u{0}")

            let running = try await fleet.chorus(["service", name, "status"])
            #expect(running.status == 0)
            #expect(running.stdout.contains("running = 2"), "\(running.stdout)")

            let again = try await fleet.chorus(["service", name, "start", "-I", "node2"])
            #expect(again.status == 2)
            #expect(again.stdout.contains("node2: Could not start 'chorus-test-svc': Service is already running"), "\(again.stdout)")
            #expect(Self.daemonPID == firstPID)

            let restart = try await fleet.chorus(["service", name, "restart", "-I", "node1", "--json"])
            #expect(restart.status == 0, "\(restart.stdout)")
            #expect(try Self.states(restart)["node1"]?.status == "running")
            let secondPID = try #require(Self.daemonPID, "no daemon after restart")
            #expect(secondPID != firstPID)
            #expect(await ProcessState.dies(firstPID))

            let stop = try await fleet.chorus(["service", "stop", name, "-I", "node2"])
            #expect(stop.status == 0, "\(stop.stdout)")
            // mco lists only the nodes that did not reach the goal; the summary counts them all.
            #expect(!stop.stdout.contains("node2:"))
            #expect(stop.stdout.contains("stopped = 1"))
            #expect(await ProcessState.dies(secondPID))
            #expect(!FileManager.default.fileExists(atPath: Self.pidFile))

            let after = try Self.states(try await fleet.chorus(["service", name, "status", "--json"]))
            #expect(after.values.allSatisfy { $0.code == 0 && $0.status == "stopped" } && after.count == 2)

            let unknown = try await fleet.chorus(["service", "chorus-no-such-svc", "status", "--json"])
            #expect(unknown.status == 2)
            for (_, reply) in try Self.states(unknown) {
                #expect(reply.code == 1)
                #expect(reply.message.hasPrefix("no such service 'chorus-no-such-svc' on this node"), "\(reply.message)")
            }

            let silent = try await fleet.chorus(["service", name, "status", "-I", "node1", "-I", "ghost", "-t", "2"])
            #expect(silent.status == 2)
            #expect(silent.stdout.contains("node1: stopped"))
            #expect(silent.stdout.contains("No response from:"))
        }

        @Test("bad service names: the client refuses them, a node answers status 4, and no shell ever runs them")
        func badInput() async throws {
            let fleet = try await SharedFleet.shared.get()
            let marker = "/tmp/pwned"
            try? FileManager.default.removeItem(atPath: marker)
            let bad = ["x; touch \(marker)", "$(id)", "`touch \(marker)`", "x && touch \(marker)", String(repeating: "a", count: 100), "--status-all"]

            // A leading '-' never becomes a service name on the command line: it is an option there.
            let option = try await fleet.chorus(["service", "--status-all", "status", "-I", "node1"])
            #expect(option.status == 64 && option.stderr.contains("Missing expected argument"))
            for name in bad where !name.hasPrefix("-") {
                let refused = try await fleet.chorus(["service", name, "status", "-I", "node1"])
                #expect(refused.status == 1, "\(name)")
                #expect(refused.stderr.contains("Cannot validate input service"), "\(name): \(refused.stderr)")
            }

            let raw = try await RawClient.connect(port: fleet.port)
            for name in bad {
                for action in ["status", "start", "stop", "restart"] {
                    let body = try RawClient.request(agent: "service", action: action, data: RubyHash(symbolKeys: ["service": .str(name)]), psk: fleet.psk)
                    try await raw.sendDirected(body, to: "node1")
                    let reply = try #require(try await raw.nextReply(psk: fleet.psk), "no reply for \(action) \(name)")
                    let decoded = try #require(RPCReplyBody(reply.body))
                    #expect(decoded.statusCode == 4, "\(action) \(name): \(decoded.statusMessage)")
                    #expect(decoded.statusMessage.hasPrefix("Cannot validate input service"), "\(decoded.statusMessage)")
                }
            }
            await raw.close()
            let long = try await fleet.chorus(["service", String(repeating: "a", count: 100), "status", "-I", "node1"])
            #expect(long.stderr.contains("longer than 90"))
            #expect(!FileManager.default.fileExists(atPath: marker))
        }

        @Test("plugin.service.provider = systemd on a node without systemd: status 1 and a message that says what to do", .enabled(if: !systemdRunning))
        func forcedSystemd() async throws {
            let fleet = try Fleet(nodes: [Fleet.oracleNodes[0]])
            defer { fleet.shutdown() }
            try await fleet.startBroker()
            try fleet.writeClientConfig(identity: "mcoclient", path: fleet.clientConfig)
            try fleet.startServer(Fleet.oracleNodes[0], extra: ["plugin.service.provider = systemd"])
            try await fleet.waitForNodes(["node1"])

            let result = try await fleet.chorus(["service", "cron", "status", "--json"])
            #expect(result.status == 2)
            let reply = try #require(try Self.states(result)["node1"])
            #expect(reply.code == 1)
            #expect(reply.message.contains("plugin.service.provider = systemd, but systemd is not running on this node"))
            #expect(reply.message.contains("set plugin.service.provider = init"))

            let text = try await fleet.chorus(["service", "cron", "status"])
            #expect(text.stdout.contains("node1: plugin.service.provider = systemd, but systemd is not running"))
        }
    }
}
