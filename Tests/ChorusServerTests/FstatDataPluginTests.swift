import ChorusServer
import Foundation
import RubyMarshal
import Testing

@Suite("The fstat data plugin on real files")
struct FstatDataPluginTests {
    func query(_ path: String) throws -> RubyHash {
        let node = try TestNode()
        defer { node.remove() }
        return try #require(try node.state.queryData(plugin: "fstat", query: path))
    }

    @Test("a regular file: type, size, mode, md5, times")
    func regularFile() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("fstat-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("hosts")
        try "127.0.0.1 localhost\n".write(to: file, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: file.path)
        let result = try query(file.path)
        #expect(result["type"] == .str("file"))
        #expect(result["output"] == .str("present"))
        #expect(result["size"] == .int(20))
        #expect(result["mode"] == .str("100644"))
        // `md5sum` of "127.0.0.1 localhost\n"
        #expect(result["md5"]?.stringValue == "0eea71665fb6890c06421fd13aa3f849")
        let age = try #require(result["mtime_age"]?.intValue)
        #expect(age >= 0 && age < 60)
    }

    @Test("a directory, a symlink, and a missing path")
    func otherKinds() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("fstat-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        #expect(try query(dir.path)["type"] == .str("directory"))
        let link = dir.appendingPathComponent("link")
        try FileManager.default.createSymbolicLink(atPath: link.path, withDestinationPath: "/etc/passwd")
        #expect(try query(link.path)["type"] == .str("symlink"))
        #expect(try query(dir.appendingPathComponent("missing").path)["output"] == .str("not present"))
    }
}
