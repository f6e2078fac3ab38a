import Glibc

/// What one process costs at one moment: its resident memory and the CPU time it has used
/// since it started, read from Linux's `/proc`.
///
/// Take a sample before and after a piece of work: `after.cpuSeconds - before.cpuSeconds` is
/// the CPU the work cost the process (user + system, all threads), and
/// `after.residentBytes - before.residentBytes` the memory it kept. ``sample(pid:)`` works for
/// any process the caller may read (`/proc/PID/status` and `/proc/PID/stat`), so a broker's
/// cost can be measured from the load generator: `beam.smp` for RabbitMQ, `java` for
/// ActiveMQ, the `chorus broker` child for Chorus.
public struct ProcessUsage: Sendable, Equatable, Codable {
    /// Resident set size in bytes (`VmRSS`): the process's memory that is in RAM now.
    public var residentBytes: Int
    /// User plus system CPU time since the process started, in seconds (all threads).
    public var cpuSeconds: Double

    public init(residentBytes: Int, cpuSeconds: Double) {
        self.residentBytes = residentBytes
        self.cpuSeconds = cpuSeconds
    }

    /// Reads `/proc/PID/status` and `/proc/PID/stat`; nil when the process does not exist
    /// (or has exited), the files cannot be read, or they do not parse.
    public static func sample(pid: Int32) -> ProcessUsage? {
        guard let status = ProcFile.read("/proc/\(pid)/status"), let stat = ProcFile.read("/proc/\(pid)/stat") else {
            return nil
        }
        return ProcessUsage(status: status, stat: stat, ticksPerSecond: Int(sysconf(Int32(_SC_CLK_TCK))))
    }

    /// Parses the text of `/proc/PID/status` (for `VmRSS:  N kB`) and `/proc/PID/stat` (fields
    /// 14 `utime` and 15 `stime`, in clock ticks, counted after the `)` that ends the command
    /// name, which may itself hold spaces and parentheses). Nil when either is missing.
    public init?(status: String, stat: String, ticksPerSecond: Int) {
        guard ticksPerSecond > 0 else { return nil }
        var resident: Int?
        for line in status.split(separator: "\n") where line.hasPrefix("VmRSS:") {
            let fields = line.dropFirst("VmRSS:".count).split(whereSeparator: { $0 == " " || $0 == "\t" })
            guard let value = fields.first.flatMap({ Int($0) }) else { return nil }
            let unit = fields.count > 1 ? fields[1].lowercased() : "kb"
            resident = unit == "kb" ? value * 1024 : value
        }
        guard let resident, let close = stat.lastIndex(of: ")") else { return nil }
        // After ") " come field 3 (state) onwards; utime and stime are fields 14 and 15.
        let fields = stat[stat.index(after: close)...].split(separator: " ", omittingEmptySubsequences: true)
        guard fields.count > 12, let user = Int(fields[11]), let system = Int(fields[12]) else { return nil }
        self.init(residentBytes: resident, cpuSeconds: Double(user + system) / Double(ticksPerSecond))
    }

    /// The change from `earlier` to `self`: CPU seconds used and resident bytes gained (may be negative).
    public func since(_ earlier: ProcessUsage) -> ProcessUsage {
        ProcessUsage(residentBytes: residentBytes - earlier.residentBytes, cpuSeconds: cpuSeconds - earlier.cpuSeconds)
    }
}

/// Small whole-file reads from `/proc`, whose files report a size of 0 and must be read to the end.
enum ProcFile {
    /// The file's text, or nil when it cannot be opened.
    static func read(_ path: String) -> String? {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return nil }
        defer { close(descriptor) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 8192)
        while true {
            let count = chunk.withUnsafeMutableBytes { Glibc.read(descriptor, $0.baseAddress, $0.count) }
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else { break }
            bytes.append(contentsOf: chunk[0..<count])
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
