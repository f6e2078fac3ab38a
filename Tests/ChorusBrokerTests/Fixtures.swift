import Foundation

/// Captured MCollective frames from Tests/Fixtures/frames.
enum Fixtures {
    static func frame(_ relativePath: String) throws -> [UInt8] {
        let url = URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent()
            .deletingLastPathComponent()
            .appendingPathComponent("Fixtures/frames")
            .appendingPathComponent(relativePath)
        return [UInt8](try Data(contentsOf: url))
    }

    /// The first fixture in `directory` whose name starts with `prefix`.
    static func frame(in directory: String, prefix: String) throws -> [UInt8] {
        let url = URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent()
            .deletingLastPathComponent()
            .appendingPathComponent("Fixtures/frames")
            .appendingPathComponent(directory)
        let names = try FileManager.default.contentsOfDirectory(atPath: url.path)
        guard let name = names.sorted().first(where: { $0.hasPrefix(prefix) && $0.hasSuffix(".frame") }) else {
            throw CocoaError(.fileNoSuchFile)
        }
        return try frame("\(directory)/\(name)")
    }

    /// Replaces one ASCII string in `bytes` with another of any length.
    static func replacing(_ old: String, with new: String, in bytes: [UInt8]) -> [UInt8] {
        let oldBytes = Array(old.utf8)
        guard let start = (0...(bytes.count - oldBytes.count)).first(where: { Array(bytes[$0..<($0 + oldBytes.count)]) == oldBytes }) else {
            return bytes
        }
        return Array(bytes[..<start]) + Array(new.utf8) + Array(bytes[(start + oldBytes.count)...])
    }
}
