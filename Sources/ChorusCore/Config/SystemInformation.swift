#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// The few facts about the running system configuration loading needs, read with POSIX calls.
enum SystemInformation {
    /// `gethostname(2)`, or `localhost` when it fails.
    static func hostName() -> String {
        var buffer = [CChar](repeating: 0, count: 256)
        guard gethostname(&buffer, buffer.count - 1) == 0 else { return "localhost" }
        let bytes = buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }
        return bytes.isEmpty ? "localhost" : String(decoding: bytes, as: UTF8.self)
    }

    /// The environment variables configuration consults (`MCOLLECTIVE_PSK`, `STOMP_USER`, `STOMP_PASSWORD`).
    static func environment() -> [String: String] {
        var values: [String: String] = [:]
        for name in ChorusConfiguration.environmentVariables {
            if let value = getenv(name) { values[name] = String(cString: value) }
        }
        return values
    }

    /// Reads a whole file; throws a message naming the failing call.
    /// The names in a directory (without `.` and `..`); empty when it cannot be read.
    static func listDirectory(_ path: String) -> [String] {
        guard let directory = opendir(path) else { return [] }
        defer { closedir(directory) }
        var names: [String] = []
        while let entry = readdir(directory) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names
    }

    static func readFile(_ path: String, limit: Int = 16 << 20) throws(ConfigurationError) -> [UInt8] {
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { throw unreadable(path, "cannot open: \(errorText())") }
        defer { close(fd) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65_536)
        while true {
            let count = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                throw unreadable(path, "cannot read: \(errorText())")
            }
            if count == 0 { break }
            bytes.append(contentsOf: chunk[0..<count])
            guard bytes.count <= limit else { throw unreadable(path, "larger than \(limit) bytes") }
        }
        return bytes
    }

    private static func unreadable(_ path: String, _ message: String) -> ConfigurationError {
        ConfigurationError(kind: .unreadable, source: path, line: nil, message: "Cannot read config file: \(message)")
    }

    private static func errorText() -> String { String(cString: strerror(errno)) }
}
