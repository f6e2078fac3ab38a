import Foundation

/// The machine a measurement ran on, as a benchmark report states it: CPU model and count,
/// memory, operating system, kernel (from `/proc/cpuinfo`, `/proc/meminfo`,
/// `/etc/os-release`, `uname`).
public struct MachineDescription: Sendable, Equatable, Codable, CustomStringConvertible {
    public var cpuModel: String
    public var cpus: Int
    public var memoryBytes: Int
    public var operatingSystem: String
    public var kernel: String

    public init(cpuModel: String, cpus: Int, memoryBytes: Int, operatingSystem: String, kernel: String) {
        self.cpuModel = cpuModel
        self.cpus = cpus
        self.memoryBytes = memoryBytes
        self.operatingSystem = operatingSystem
        self.kernel = kernel
    }

    /// This machine.
    public static func current() -> MachineDescription {
        let cpuinfo = ProcFile.read("/proc/cpuinfo") ?? ""
        let processors = cpuinfo.split(separator: "\n").filter { $0.hasPrefix("processor") }.count
        let model = cpuinfo.split(separator: "\n").first { $0.hasPrefix("model name") }
            .map { $0.split(separator: ":", maxSplits: 1).last.map { $0.trimmingCharacters(in: .whitespaces) } ?? "" } ?? "unknown"
        let memory = (ProcFile.read("/proc/meminfo") ?? "").split(separator: "\n").first { $0.hasPrefix("MemTotal:") }
            .flatMap { $0.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first.flatMap { Int($0) } } ?? 0
        let release = (ProcFile.read("/etc/os-release") ?? "").split(separator: "\n").first { $0.hasPrefix("PRETTY_NAME=") }
            .map { String($0.dropFirst("PRETTY_NAME=".count)).trimmingCharacters(in: CharacterSet(charactersIn: "\"")) } ?? "unknown"
        let debian = (ProcFile.read("/etc/debian_version") ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        var names = utsname()
        uname(&names)
        let kernel = withUnsafeBytes(of: names.release) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
        return MachineDescription(
            cpuModel: model, cpus: max(processors, 1), memoryBytes: memory * 1024,
            operatingSystem: debian.isEmpty ? release : "\(release) (\(debian))", kernel: kernel)
    }

    public var description: String {
        let gibibytes = Double(memoryBytes) / Double(1 << 30)
        return "\(cpus) × \(cpuModel), \(String(format: "%.1f", gibibytes)) GiB, \(operatingSystem), Linux \(kernel)"
    }
}
