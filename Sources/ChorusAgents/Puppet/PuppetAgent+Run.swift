import ChorusServer
import Foundation
import RubyMarshal

extension PuppetAgent {
    /// `runonce`: starts one run in the background and answers at once (the original does
    /// not wait for the run), or wakes an idling daemon.
    func runOnce(_ request: ActionRequest, reply: inout ActionReply) throws {
        let state = try currentState()
        let runRequest = PuppetRunRequest(
            force: request["force"]?.boolValue, noop: request["noop"]?.boolValue, splay: request["splay"]?.boolValue,
            splayLimit: request["splaylimit"]?.doubleValue, environment: request["environment"]?.stringValue,
            server: request["server"]?.stringValue, tags: request["tags"]?.stringValue,
            useCachedCatalog: request["use_cached_catalog"]?.boolValue)
        switch PuppetRunPlan.make(runRequest, settings: settings, state: state) {
        case .failure(let refusal):
            reply["summary"] = .str(refusal.description)
            throw RPCError.aborted(refusal.description)
        case .success(.signalDaemon):
            guard let pid = files.daemonPID(), kill(pid, SIGUSR1) == 0 else {
                let why = "Failed to signal the Puppet daemon: it is no longer running or cannot be signalled"
                reply["summary"] = .str(why)
                throw RPCError.aborted(why)
            }
            reply["summary"] = .str("Signalled the running Puppet Daemon")
        case .success(.run(let argv)):
            let command = SystemCommand(argv[0], Array(argv.dropFirst()), environment: Self.environment, timeout: settings.runTimeout, outputLimit: 64 << 10)
            guard command.resolvedExecutable() != nil else {
                let why = "Cannot start a Puppet run: the program '\(argv[0])' was not found (check plugin.puppet.command)"
                reply["summary"] = .str(why)
                throw RPCError.aborted(why)
            }
            Task.detached { _ = try? await command.run() }
            reply["summary"] = .str("Started a Puppet run using the '\(argv.joined(separator: " "))' command")
        }
        reply["initiated_at"] = .int(Self.now())
    }
}
