#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import ChorusCore
import Logging
import Synchronization

/// The node's audit trail (`rpcaudit = 1`): one line per accepted SimpleRPC request, in
/// MCollective's `Logfile` format or as JSON lines, appended to `plugin.rpcaudit.logfile`.
///
/// Like logfile.rb, the file is opened for each line (so a rotated log is followed at once)
/// and written with one `write` in append mode, so concurrent requests never interleave
/// within a line. A file it creates gets mode 0600. A failure to write is logged once (again
/// only after a write has succeeded in between) and never stops the request.
public final class AuditLog: Sendable {
    /// Where the audit log goes when `plugin.rpcaudit.logfile` is unset (MCollective's
    /// default is `/var/log/puppetlabs/mcollective/mcollective-audit.log`).
    public static let defaultPath = "/var/log/chorus/audit.log"

    public let path: String
    public let format: AuditFormat
    private let logger: Logger
    private let failing = Atomic<Bool>(false)

    public init(path: String, format: AuditFormat, logger: Logger) {
        self.path = path
        self.format = format
        self.logger = logger
    }

    /// The audit log `rpcaudit`, `rpcauditprovider` and `plugin.rpcaudit.logfile` ask for; nil
    /// when auditing is off. An unknown provider is an error naming the ones there are.
    public static func configured(
        enabled: Bool, provider: String, settings: PluginSettings, logger: Logger
    ) throws(AuditConfigurationError) -> AuditLog? {
        guard enabled else { return nil }
        guard let format = AuditFormat(provider: provider.isEmpty ? "logfile" : provider) else {
            throw AuditConfigurationError(
                "rpcauditprovider = \(provider) is not supported; use rpcauditprovider = logfile (MCollective's line format) or jsonl (one JSON object per line)")
        }
        let path = settings["rpcaudit.logfile"].flatMap { $0.isEmpty ? nil : $0 } ?? defaultPath
        return AuditLog(path: path, format: format, logger: logger)
    }

    /// Audits `request` for `agent` if MCollective would (see `AuditRecord.auditable`);
    /// returns whether a line was written.
    @discardableResult
    public func record(_ request: Request, agent: any Agent) -> Bool {
        guard agent is any RPCAgent else { return false }
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        guard let record = AuditRecord.auditable(request, ddl: agent.ddl, seconds: Int(now.tv_sec), nanoseconds: Int(now.tv_nsec)) else {
            return false
        }
        return append(format.line(record))
    }

    /// Appends one line; logs the first failure of a run of failures.
    @discardableResult
    public func append(_ line: String) -> Bool {
        let bytes = Array((line + "\n").utf8)
        if let problem = Self.appendBytes(bytes, to: path) {
            if !failing.exchange(true, ordering: .relaxed) {
                logger.error("cannot write the audit log \(path): \(problem); requests are still served but not audited until it is writable")
            }
            return false
        }
        if failing.exchange(false, ordering: .relaxed) {
            logger.warning("the audit log \(path) is writable again")
        }
        return true
    }

    /// Opens (creating with 0600), appends `bytes` in one write, closes. The error text on failure.
    private static func appendBytes(_ bytes: [UInt8], to path: String) -> String? {
        let descriptor = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOCTTY, 0o600)
        guard descriptor >= 0 else { return String(cString: strerror(errno)) }
        defer { close(descriptor) }
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeBytes { buffer in
                write(descriptor, buffer.baseAddress! + offset, buffer.count - offset)
            }
            if written < 0 {
                if errno == EINTR { continue }
                return String(cString: strerror(errno))
            }
            offset += written
        }
        return nil
    }
}

/// An audit setting the node cannot use.
public struct AuditConfigurationError: Error, Sendable, CustomStringConvertible {
    public let description: String
    init(_ description: String) { self.description = description }
}
