#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// This machine's limits that decide how many broker connections fit: the open-file limit
/// (one descriptor per connection, in the broker and in the process holding the node's end)
/// and the ephemeral port range (one local port per connection to one broker address).
public struct MachineLimits: Sendable, Equatable {
    /// RLIMIT_NOFILE's hard limit: the most descriptors a process may raise its soft limit to.
    public var openFilesHard: Int
    /// Ports in `net.ipv4.ip_local_port_range`.
    public var ephemeralPorts: Int

    public init(openFilesHard: Int, ephemeralPorts: Int) {
        self.openFilesHard = openFilesHard
        self.ephemeralPorts = ephemeralPorts
    }

    /// The limits of this process and machine.
    public static func current() -> MachineLimits {
        var limit = rlimit()
        getrlimit(Self.noFile, &limit)
        let hard = Int(clamping: min(limit.rlim_max, rlim_t(Int32.max)))
        return MachineLimits(openFilesHard: hard, ephemeralPorts: Self.portRange() ?? 28_232)
    }

    /// Raises this process's soft open-file limit to the hard limit (children inherit it);
    /// returns the soft limit now in force.
    @discardableResult
    public static func raiseOpenFileLimit() -> Int {
        var limit = rlimit()
        getrlimit(Self.noFile, &limit)
        if limit.rlim_cur < limit.rlim_max {
            limit.rlim_cur = limit.rlim_max
            setrlimit(Self.noFile, &limit)
            getrlimit(Self.noFile, &limit)
        }
        return Int(clamping: min(limit.rlim_cur, rlim_t(Int32.max)))
    }

    /// Another process's soft open-file limit (the one in force), from `/proc/PID/limits`.
    public static func openFileLimit(ofProcess pid: Int32) -> Int? {
        openFileLimit(limitsText: try? String(contentsOfFile: "/proc/\(pid)/limits", encoding: .utf8))
    }

    /// The soft limit on the `Max open files` line of a `/proc/PID/limits` text.
    static func openFileLimit(limitsText text: String?) -> Int? {
        guard let line = text?.split(separator: "\n").first(where: { $0.hasPrefix("Max open files") }) else { return nil }
        let fields = line.dropFirst("Max open files".count).split(separator: " ", omittingEmptySubsequences: true)
        guard let soft = fields.first else { return nil }
        return soft == "unlimited" ? Int(Int32.max) : Int(soft)
    }

    /// The size of `net.ipv4.ip_local_port_range` ("32768\t60999" is 28,232 ports).
    static func portRange(text: String? = try? String(contentsOfFile: "/proc/sys/net/ipv4/ip_local_port_range", encoding: .utf8)) -> Int? {
        guard let text else { return nil }
        let bounds = text.split(whereSeparator: \.isWhitespace).compactMap { Int($0) }
        guard bounds.count == 2, bounds[1] >= bounds[0] else { return nil }
        return bounds[1] - bounds[0] + 1
    }

    #if canImport(Glibc)
    private static let noFile = __rlimit_resource_t(RLIMIT_NOFILE.rawValue)
    #else
    private static let noFile = RLIMIT_NOFILE
    #endif
}
