import ChorusServer

/// The time an action has left for its commands. The node stops an action at the DDL's
/// timeout (status 5); the agent keeps a margin below that so a slow apt run is stopped
/// by its own timeout first and the reply can say which command took too long.
public struct CommandBudget: Sendable {
    public let deadline: ContinuousClock.Instant

    public init(deadline: ContinuousClock.Instant) { self.deadline = deadline }

    /// A budget for an action the node allows `seconds` for.
    public init(ddlTimeout seconds: Int, margin: Duration = .seconds(10)) {
        deadline = .now + .seconds(seconds) - margin
    }

    /// The timeout for the next command: what is left, but no more than `cap`.
    func timeout(atMost cap: Duration, for command: String) throws(PackageError) -> Duration {
        let left = deadline - .now
        guard left > .seconds(1) else {
            throw PackageError("the package agent ran out of time before it could run \(command)")
        }
        return min(left, cap)
    }

    /// Runs `command` with a timeout from this budget; failures to start become `PackageError`.
    func run(_ command: SystemCommand, atMost cap: Duration) async throws(PackageError) -> SystemCommandResult {
        var command = command
        command.timeout = try timeout(atMost: cap, for: command.description)
        do {
            return try await command.run()
        } catch {
            throw PackageError(error)
        }
    }
}
