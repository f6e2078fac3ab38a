import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Logging
import Synchronization

/// Finds, reads and caches the policy files and the groups file.
///
/// Every lookup `stat`s the file it needs (cheap) and re-reads it only when its device, inode,
/// size, modification or change time differ from the cached copy, so an edited, replaced or
/// deleted policy takes effect on the next request without a restart. A file that cannot be
/// used (unreadable, too large, malformed) is reported once per change and keeps failing
/// closed until it changes again.
public final class PolicyStore: Sendable {
    /// The policy that governs an agent.
    public enum Lookup: Sendable {
        /// `<agent>.policy`, or the default policy, parsed.
        case policy(ActionPolicy, file: String)
        /// Neither file exists: `allow_unconfigured` decides.
        case unconfigured
        /// The file exists but cannot be used: deny.
        case unusable(ActionPolicyError)
    }

    /// Files larger than this are refused (a policy is a few dozen lines).
    public static let maximumFileSize = 1 << 20

    public let settings: ActionPolicySettings
    private let logger: Logger
    private let policies = Mutex<[String: Cached<ActionPolicy>]>([:])
    private let groupFiles = Mutex<[String: Cached<PolicyGroups>]>([:])

    /// A file as last read. `settled` is false while the file's times are too recent to prove a
    /// later same-size rewrite would change them (timestamps have clock-tick granularity); an
    /// unsettled entry is re-read and compared on every lookup until it settles.
    struct Cached<Value: Sendable>: Sendable {
        var signature: FileSignature
        var text: String?
        var result: Result<Value, ActionPolicyError>
        var settled: Bool
    }

    public init(settings: ActionPolicySettings, logger: Logger) {
        self.settings = settings
        self.logger = logger
    }

    /// The policy for `agent`: `<agent>.policy`, else (with `enable_default`) the default policy.
    public func lookup(agent: String) -> Lookup {
        for path in candidates(agent: agent) {
            guard let signature = FileSignature.of(path) else {
                policies.withLock { _ = $0.removeValue(forKey: path) }
                continue
            }
            let result = load(path, signature: signature, cache: policies, kind: "policy file") { text throws(ActionPolicyError) in
                try ActionPolicy(parsing: text, file: path)
            } summary: { policy in
                let fallback = policy.defaultVerdict.map { "policy default \($0.rawValue)" } ?? "no policy default line"
                return "\(policy.rules.count) rule(s), \(fallback)"
            }
            switch result {
            case .success(let policy): return .policy(policy, file: path)
            case .failure(let error): return .unusable(error)
            }
        }
        return .unconfigured
    }

    /// The groups file's groups; `.none` when there is no groups file.
    public func groups() -> Result<PolicyGroups, ActionPolicyError> {
        let path = settings.groupsFile
        guard let signature = FileSignature.of(path) else {
            groupFiles.withLock { _ = $0.removeValue(forKey: path) }
            return .success(.none)
        }
        return load(path, signature: signature, cache: groupFiles, kind: "groups file") { text throws(ActionPolicyError) in
            try PolicyGroups(parsing: text, file: path)
        } summary: { "\($0.members.count) group(s)" }
    }

    private func candidates(agent: String) -> [String] {
        settings.enableDefault ? [settings.policyFile(agent: agent), settings.defaultPolicyFile] : [settings.policyFile(agent: agent)]
    }

    /// The cached result while the file is unchanged, else the file read and parsed again; a
    /// changed outcome is logged once.
    private func load<Value: Sendable>(
        _ path: String, signature: FileSignature, cache: borrowing Mutex<[String: Cached<Value>]>, kind: String,
        parse: (String) throws(ActionPolicyError) -> Value, summary: (Value) -> String
    ) -> Result<Value, ActionPolicyError> {
        let previous = cache.withLock { $0[path] }
        if let previous, previous.signature == signature, previous.settled { return previous.result }
        let settled = Self.isSettled(signature)
        let read = Self.read(path, signature: signature)
        let text = try? read.get()
        if let previous, previous.signature == signature, let text, previous.text == text {
            cache.withLock { $0[path]?.settled = settled }
            return previous.result
        }
        let result = read.flatMap { text in Result { () throws(ActionPolicyError) in try parse(text) } }
        let fresh = cache.withLock { entries -> Bool in
            let before = entries[path]
            entries[path] = Cached(signature: signature, text: text, result: result, settled: settled)
            return before == nil || before?.signature != signature || before?.text != text
        }
        if fresh {
            switch result {
            case .success(let value):
                logger.info("actionpolicy: loaded \(kind) \(path): \(summary(value))")
            case .failure(let error):
                logger.error("actionpolicy: cannot use \(kind) \(error); requests it governs are denied until the file is fixed")
            }
        }
        return result
    }

    /// Whether the file's times are old enough (over a second) that any later write must change them.
    static func isSettled(_ signature: FileSignature) -> Bool {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        let newest = max(signature.modified, signature.changed)
        return Int64(now.tv_sec) - newest > 1
    }

    /// The file's text, or why it cannot be read.
    static func read(_ path: String, signature: FileSignature) -> Result<String, ActionPolicyError> {
        guard signature.isRegularFile else {
            return .failure(ActionPolicyError(file: path, line: nil, message: "is not a regular file"))
        }
        guard signature.size <= maximumFileSize else {
            return .failure(ActionPolicyError(file: path, line: nil, message: "is \(signature.size) bytes; the limit is \(maximumFileSize)"))
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            return .failure(ActionPolicyError(file: path, line: nil, message: "cannot be read (check its permissions)"))
        }
        guard data.count <= maximumFileSize else {
            return .failure(ActionPolicyError(file: path, line: nil, message: "is more than \(maximumFileSize) bytes"))
        }
        return .success(String(decoding: data, as: UTF8.self))
    }
}
