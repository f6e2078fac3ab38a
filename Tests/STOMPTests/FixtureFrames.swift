import Foundation
import NIOCore

/// The captured MCollective frames in Tests/Fixtures/frames.
enum FixtureFrames {
    static var directory: URL {
        URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent()
            .deletingLastPathComponent()
            .appendingPathComponent("Fixtures/frames")
    }

    /// Every `.frame` file as (relative name, bytes), sorted by name.
    static func all() throws -> [(name: String, bytes: [UInt8])] {
        let root = directory
        guard let enumerator = FileManager.default.enumerator(at: root, includingPropertiesForKeys: nil) else {
            return []
        }
        var result: [(name: String, bytes: [UInt8])] = []
        for case let url as URL in enumerator where url.pathExtension == "frame" {
            let name = url.path.replacingOccurrences(of: root.path + "/", with: "")
            result.append((name, [UInt8](try Data(contentsOf: url))))
        }
        return result.sorted { $0.name < $1.name }
    }
}
