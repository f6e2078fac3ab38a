import Foundation

/// What an external agent's activation check decided (MCollective's `activate_when`).
///
/// The node runs `[path, "--chorus-activate"]` once at startup: exit 0 loads the agent,
/// exit 1 declines (the first line of output says why), anything else is an error and the
/// agent is not loaded either.
public enum ExternalAgentActivation: Sendable, Hashable {
    case load
    /// The agent does not apply to this node; the program's reason.
    case decline(reason: String)
    /// The check itself failed; the agent is not loaded.
    case error(String)

    /// Decides from the activation run: a pure function of its exit and output.
    public static func decide(_ run: SystemCommandResult) -> ExternalAgentActivation {
        if run.timedOut {
            return .error("the activation check did not finish within \(ExternalAgentProtocol.activationTimeout.components.seconds) s")
        }
        switch (run.exitStatus, run.signal) {
        case (0?, _):
            return .load
        case (1?, _):
            return .decline(reason: firstLine(run.standardOutput) ?? firstLine(run.standardError) ?? "no reason given")
        case (_, let signal?):
            return .error("the activation check was killed by signal \(signal)" + detail(run))
        case (let status, nil):
            return .error("the activation check exited with status \(status ?? -1) (0 loads, 1 declines)" + detail(run))
        }
    }

    private static func detail(_ run: SystemCommandResult) -> String {
        (firstLine(run.standardError) ?? firstLine(run.standardOutput)).map { ": \($0)" } ?? ""
    }

    /// The first non-blank line, trimmed and at most 300 characters.
    static func firstLine(_ text: String) -> String? {
        let lines = text.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }
        guard let line = lines.first(where: { !$0.isEmpty }) else { return nil }
        return line.count > 300 ? String(line.prefix(300)) + "…" : line
    }
}
