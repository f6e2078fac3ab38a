import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// Reads and writes the Puppet agent's state files (the thin I/O under `PuppetAgentState`
/// and `LastRunSummary`).
public struct PuppetStateFiles: Sendable {
    public var settings: PuppetSettings

    public init(settings: PuppetSettings) { self.settings = settings }

    /// The agent's state now.
    public func state() throws(LastRunSummaryError) -> PuppetAgentState {
        PuppetAgentState(
            applying: applying(), daemonPresent: daemonPresent(), disableMessage: disableMessage(),
            lastRun: try lastRunSummary().lastRun)
    }

    /// The last run summary; an empty one when Puppet has not written the file yet.
    public func lastRunSummary() throws(LastRunSummaryError) -> LastRunSummary {
        guard let text = Self.read(settings.lastRunSummaryFile) else { return LastRunSummary() }
        do {
            return try LastRunSummary(yaml: text)
        } catch {
            throw .invalid("\(settings.lastRunSummaryFile): \(error.description)")
        }
    }

    /// The lock message, nil when the agent is enabled.
    public func disableMessage() -> String? {
        guard FileManager.default.fileExists(atPath: settings.disabledLockFile) else { return nil }
        return PuppetAgentState.lockMessage(fromLockFile: Self.read(settings.disabledLockFile) ?? "")
    }

    /// Whether the catalog run lock names a live process.
    public func applying() -> Bool {
        guard let text = Self.read(settings.catalogRunLockFile), let pid = PuppetAgentState.pid(fromFile: text) else { return false }
        return Self.processExists(pid)
    }

    /// Whether the agent pid file names a live process.
    public func daemonPresent() -> Bool {
        guard let text = Self.read(settings.pidFile), let pid = PuppetAgentState.pid(fromFile: text) else { return false }
        return Self.processExists(pid)
    }

    /// The daemon's pid when it is running.
    public func daemonPID() -> Int32? {
        guard let text = Self.read(settings.pidFile), let pid = PuppetAgentState.pid(fromFile: text), Self.processExists(pid) else { return nil }
        return pid
    }

    /// The resources the last catalog managed, as `type[title]` with the type in lower case.
    public func managedResources() -> [String] {
        guard let text = Self.read(settings.resourceFile) else { return [] }
        return PuppetManagedResources.parse(text)
    }

    /// Writes the disabled lock as `puppet agent --disable` does (atomically, creating the state directory).
    public func writeDisabledLock(message: String) throws {
        let directory = (settings.disabledLockFile as NSString).deletingLastPathComponent
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let temporary = settings.disabledLockFile + ".chorus-\(getpid())"
        try PuppetAgentState.lockFileText(message: message).write(toFile: temporary, atomically: false, encoding: .utf8)
        guard rename(temporary, settings.disabledLockFile) == 0 else {
            let reason = String(cString: strerror(errno))
            unlink(temporary)
            throw PuppetStateFileError("cannot write \(settings.disabledLockFile): \(reason)")
        }
    }

    /// Removes the disabled lock as `puppet agent --enable` does.
    public func removeDisabledLock() throws {
        guard unlink(settings.disabledLockFile) == 0 || errno == ENOENT else {
            throw PuppetStateFileError("cannot remove \(settings.disabledLockFile): \(String(cString: strerror(errno)))")
        }
    }

    static func read(_ path: String) -> String? {
        guard let data = FileManager.default.contents(atPath: path) else { return nil }
        return String(decoding: data, as: UTF8.self)
    }

    /// `kill(pid, 0)`: the process exists (EPERM means it exists but is not ours).
    static func processExists(_ pid: Int32) -> Bool {
        guard pid > 0 else { return false }
        return kill(pid, 0) == 0 || errno == EPERM
    }
}

/// A state file could not be changed.
public struct PuppetStateFileError: Error, Sendable, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}
