import Foundation
import RubyMarshal

/// The Puppet agent's state at one moment, from its lock files, pid file and run summary.
///
/// Three independent attributes (PE's "Control Puppet"): applying a catalog or not (the
/// catalog run lock names a live process), daemon running or not (the pid file names a live
/// process), enabled or disabled (the disabled lock exists). `status` folds them into one
/// word as the original agent does: disabled wins, then applying, then idling, else stopped.
public struct PuppetAgentState: Sendable, Hashable {
    /// Whether a catalog is being applied.
    public var applying: Bool
    /// Whether the agent daemon is running.
    public var daemonPresent: Bool
    /// The lock message when the agent is disabled ("" when disabled without one); nil when enabled.
    public var disableMessage: String?
    /// When a catalog was last applied, seconds since the epoch; 0 when never.
    public var lastRun: Int

    public init(applying: Bool, daemonPresent: Bool, disableMessage: String?, lastRun: Int) {
        self.applying = applying
        self.daemonPresent = daemonPresent
        self.disableMessage = disableMessage
        self.lastRun = lastRun
    }

    public var enabled: Bool { disableMessage == nil }
    /// The daemon runs but applies nothing now.
    public var idling: Bool { daemonPresent && !applying }

    /// `disabled`, `applying a catalog`, `idling` or `stopped`.
    public var status: String {
        if !enabled { return "disabled" }
        if applying { return "applying a catalog" }
        if idling { return "idling" }
        return "stopped"
    }

    public func sinceLastRun(now: Int) -> Int { now - lastRun }

    /// "Currently idling; last completed run 2 hours 5 minutes 03 seconds ago".
    public func message(now: Int) -> String {
        "Currently \(status); last completed run \(Self.humanDuration(sinceLastRun(now: now))) ago"
    }

    /// The `status` action's outputs (and the `puppet()` data plugin's).
    public func outputs(now: Int) -> [(String, RubyValue)] {
        [
            ("applying", .bool(applying)), ("enabled", .bool(enabled)), ("daemon_present", .bool(daemonPresent)),
            ("lastrun", .int(lastRun)), ("idling", .bool(idling)), ("disable_message", .str(disableMessage ?? "")),
            ("since_lastrun", .int(sinceLastRun(now: now))), ("status", .str(status)), ("message", .str(message(now: now))),
        ]
    }

    /// Seconds as "3 days 4 hours 5 minutes 06 seconds", dropping leading zero units.
    public static func humanDuration(_ total: Int) -> String {
        let seconds = max(0, total)
        let days = seconds / 86400, hours = seconds % 86400 / 3600, minutes = seconds % 3600 / 60, rest = seconds % 60
        let secs = rest < 10 ? "0\(rest)" : "\(rest)"
        if days > 0 { return "\(days) \(days == 1 ? "day" : "days") \(hours) hours \(minutes) minutes \(secs) seconds" }
        if hours > 0 { return "\(hours) hours \(minutes) minutes \(secs) seconds" }
        if minutes > 0 { return "\(minutes) minutes \(secs) seconds" }
        return "\(secs) seconds"
    }

    /// The lock message in an agent_disabled.lock file's text: Puppet writes
    /// `{"disabled_message":"…"}`; an empty or unreadable file is a lock without a message.
    public static func lockMessage(fromLockFile text: String) -> String {
        guard let value = try? RubyValue(json: text), let message = value["disabled_message"]?.stringValue else { return "" }
        return message
    }

    /// The text Puppet writes to agent_disabled.lock for `message`.
    public static func lockFileText(message: String) -> String {
        RubyValue.hash(RubyHash(stringKeys: ["disabled_message": .str(message)])).jsonString()
    }

    /// The pid in a pid or lock file's text, nil when there is none.
    public static func pid(fromFile text: String) -> Int32? {
        Int32(text.trimmingCharacters(in: .whitespacesAndNewlines))
    }
}
