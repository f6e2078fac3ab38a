import ChorusTestSupport
import ChorusAgents
import ChorusCore
import ChorusServer
import Foundation
import RubyMarshal
import Testing

/// The init script provider and the service agent against a real LSB init script (a
/// `sleep` daemon under start-stop-daemon) in a temporary script directory, run directly
/// as `DIR/NAME ACTION` (the fallback for nodes without `service`); and the systemd
/// provider against the real `systemctl` of a machine without systemd.
@Suite("Service providers on real scripts", .serialized)
struct ServiceProviderTests {
    /// A temporary init script directory holding one LSB script whose daemon is
    /// `/usr/bin/sleep <seconds>`, with its pid file beside it.
    struct ScriptDirectory {
        let directory: URL
        let service = "chorus-unit-svc"
        var pidFile: String { directory.appendingPathComponent("daemon.pid").path }

        init() throws {
            directory = FileManager.default.temporaryDirectory.appendingPathComponent("chorus-initd-\(UUID().uuidString.prefix(8))")
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            let script = """
                #!/bin/sh
                ### BEGIN INIT INFO
                # Provides:          \(service)
                # Default-Start:     2 3 4 5
                # Default-Stop:      0 1 6
                # Short-Description: Chorus unit test daemon
                ### END INIT INFO
                PIDFILE=\(pidFile)
                DAEMON=/usr/bin/sleep
                . /lib/lsb/init-functions
                case "$1" in
                  start) start-stop-daemon --start --quiet --background --make-pidfile --pidfile $PIDFILE --exec $DAEMON -- 100001 ;;
                  stop) start-stop-daemon --stop --quiet --retry TERM/5/KILL/2 --oknodo --pidfile $PIDFILE --exec $DAEMON; s=$?; rm -f $PIDFILE; exit $s ;;
                  restart) "$0" stop && "$0" start ;;
                  status) status_of_proc -p $PIDFILE $DAEMON \(service) ;;
                  *) echo "Usage: $0 {start|stop|restart|status}" >&2; exit 3 ;;
                esac

                """
            let path = directory.appendingPathComponent(service).path
            try script.write(toFile: path, atomically: true, encoding: .utf8)
            chmod(path, 0o755)
        }

        /// The daemon's pid from its pid file, when that process is alive.
        var daemonPID: pid_t? {
            guard let text = try? String(contentsOfFile: pidFile, encoding: .utf8),
                let pid = pid_t(text.trimmingCharacters(in: .whitespacesAndNewlines)), ProcessState.isAlive(pid)
            else { return nil }
            return pid
        }

        /// Kills a daemon left behind and removes the directory.
        func remove() {
            if let pid = daemonPID { kill(pid, SIGKILL) }
            try? FileManager.default.removeItem(at: directory)
        }

        /// The provider running this directory's scripts directly (no `service` wrapper).
        var provider: InitScriptProvider {
            InitScriptProvider(scriptDirectory: directory.path, serviceProgram: "/nonexistent/service")
        }
    }

    static func request(_ action: String, _ service: RubyValue) -> (RPCRequestBody, Request) {
        let body = RPCRequestBody(agent: "service", action: action, caller: "uid=0", data: RubyHash(symbolKeys: ["service": service, "process_results": true]))
        let request = Request(
            requestID: Request.newRequestID(), senderID: "c", callerID: "uid=0", agent: "service", collective: "mcollective",
            filter: Filter().rubyValue, ttl: 60, messageTime: 0, body: body.rubyValue)
        return (body, request)
    }

    static func call(_ agent: ServiceAgent, _ action: String, _ service: String, node: TestNode) async -> RPCReplyBody {
        let (body, request) = Self.request(action, .str(service))
        return await agent.run(body, request: request, node: node.state)
    }

    @Test("the init provider runs the script directly: stopped, start, running with a live pid, stop, gone")
    func initProviderLifecycle() async throws {
        let scripts = try ScriptDirectory()
        defer { scripts.remove() }
        let provider = scripts.provider
        #expect(try provider.command(scripts.service, "status", timeout: .seconds(1)).executable == scripts.directory.appendingPathComponent(scripts.service).path)
        #expect(try await provider.status(of: scripts.service) == .stopped)
        try await provider.perform(.start, on: scripts.service)
        #expect(try await provider.status(of: scripts.service) == .running)
        let pid = try #require(scripts.daemonPID)
        let command = try String(contentsOfFile: "/proc/\(pid)/cmdline", encoding: .utf8)
        #expect(command == "/usr/bin/sleep\u{0}100001\u{0}")
        try await provider.perform(.stop, on: scripts.service)
        #expect(try await provider.status(of: scripts.service) == .stopped)
        #expect(await ProcessState.dies(pid))
    }

    @Test("a service without a script is no service, and nothing runs")
    func missingScript() async throws {
        let scripts = try ScriptDirectory()
        defer { scripts.remove() }
        await #expect(throws: ServiceProviderError.noSuchService("nosuch", checked: "there is no init script \(scripts.directory.path)/nosuch")) {
            try await scripts.provider.status(of: "nosuch")
        }
    }

    @Test("the agent: MCollective's semantics for start, stop, restart, status over a real script")
    func agentSemantics() async throws {
        let scripts = try ScriptDirectory()
        defer { scripts.remove() }
        let node = try TestNode()
        defer { node.remove() }
        let agent = try ServiceAgent(provider: .success(scripts.provider))
        let name = scripts.service

        let status = await Self.call(agent, "status", name, node: node)
        #expect(status.statusCode == 0 && status.data["status"] == .str("stopped"))

        let stopStopped = await Self.call(agent, "stop", name, node: node)
        #expect(stopStopped.statusCode == 1)
        #expect(stopStopped.statusMessage == "Could not stop '\(name)': Service is already stopped")
        #expect(stopStopped.data["status"] == .str("stopped"))

        let start = await Self.call(agent, "start", name, node: node)
        #expect(start.statusCode == 0 && start.data["status"] == .str("running"), "\(start.statusMessage)")
        let firstPID = try #require(scripts.daemonPID)

        let startRunning = await Self.call(agent, "start", name, node: node)
        #expect(startRunning.statusCode == 1)
        #expect(startRunning.statusMessage == "Could not start '\(name)': Service is already running")
        #expect(startRunning.data["status"] == .str("running"))
        #expect(scripts.daemonPID == firstPID)

        let restart = await Self.call(agent, "restart", name, node: node)
        #expect(restart.statusCode == 0 && restart.data["status"] == .str("running"), "\(restart.statusMessage)")
        let secondPID = try #require(scripts.daemonPID)
        #expect(secondPID != firstPID)
        #expect(await ProcessState.dies(firstPID))

        let stop = await Self.call(agent, "stop", name, node: node)
        #expect(stop.statusCode == 0 && stop.data["status"] == .str("stopped"), "\(stop.statusMessage)")
        #expect(await ProcessState.dies(secondPID))
    }

    @Test("the agent: unknown services fail with status 1, bad names with status 4, and nothing runs")
    func agentRefusals() async throws {
        let scripts = try ScriptDirectory()
        defer { scripts.remove() }
        let node = try TestNode()
        defer { node.remove() }
        let agent = try ServiceAgent(provider: .success(scripts.provider))

        for action in ["status", "start", "stop", "restart"] {
            let unknown = await Self.call(agent, action, "nosuch", node: node)
            #expect(unknown.statusCode == 1)
            #expect(unknown.statusMessage.hasPrefix("no such service 'nosuch' on this node"))
            #expect(unknown.data["status"] == .str("unknown"))
        }

        let marker = "/tmp/chorus-pwned-\(getpid())"
        for bad in ["x; touch \(marker)", "$(touch \(marker))", "`touch \(marker)`", String(repeating: "a", count: 91), "--status-all", "..", "a/../b"] {
            let reply = await Self.call(agent, "start", bad, node: node)
            #expect(reply.statusCode == 4, "\(bad): \(reply.statusMessage)")
            #expect(reply.statusMessage.hasPrefix("Cannot validate input service"), "\(bad): \(reply.statusMessage)")
        }
        let (body, request) = Self.request("status", .int(3))
        #expect(await agent.run(body, request: request, node: node.state).statusCode == 4)
        #expect(!FileManager.default.fileExists(atPath: marker))
        #expect(scripts.daemonPID == nil)
    }

    @Test("plugin.service.provider = systemd on a node without systemd: every action fails and says why")
    func forcedSystemdWithoutSystemd() async throws {
        let node = try TestNode()
        defer { node.remove() }
        let agent = try ServiceAgent(settings: PluginSettings(["service.provider": "systemd"]), systemdRunning: false)
        let reply = await Self.call(agent, "status", "cron", node: node)
        #expect(reply.statusCode == 1)
        #expect(reply.statusMessage.contains("plugin.service.provider = systemd, but systemd is not running on this node"))
        let detected = try ServiceAgent(settings: PluginSettings(), systemdRunning: false)
        #expect(try detected.provider.get().name == "init")
        let chosen = try ServiceAgent(settings: PluginSettings(["service.provider": "systemd"]), systemdRunning: true)
        #expect(try chosen.provider.get().name == "systemd")
    }

    @Test("the systemd provider over the real systemctl, where systemd is not PID 1: a clear failure", .enabled(if: !SystemdDetection.isRunning()))
    func realSystemctlWithoutSystemd() async throws {
        do {
            _ = try await SystemdProvider().status(of: "cron")
            Issue.record("systemctl answered without systemd")
        } catch {
            guard case .unavailable(let message) = error else {
                Issue.record("unexpected error \(error)")
                return
            }
            #expect(message.hasPrefix("cannot ask systemd about 'cron': `systemctl show --property=LoadState,ActiveState,SubState -- cron` exited with status 1"))
            #expect(message.contains("System has not been booted with systemd"))
        }
    }
}
