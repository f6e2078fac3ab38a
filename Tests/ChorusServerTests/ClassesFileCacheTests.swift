import ChorusServer
import Foundation
import Testing

/// `ClassesFile` keeps the lines it read until `stat(2)` says the file changed.
@Suite("Classes file cache")
struct ClassesFileCacheTests {
    @Test("a rewritten, replaced or removed classes file is read again; an unchanged one is not")
    func rereadsOnChange() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("chorus-classes-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("classes.txt")
        let file = ClassesFile(path: path.path)

        try "common\nweb::nginx\n".write(to: path, atomically: false, encoding: .utf8)
        #expect(file.classes() == ["common", "web::nginx"])
        #expect(file.classes() == ["common", "web::nginx"])

        // Same size, rewritten in place: the modification time tells.
        try "common\nweb::apach\n".write(to: path, atomically: false, encoding: .utf8)
        try FileManager.default.setAttributes([.modificationDate: Date().addingTimeInterval(5)], ofItemAtPath: path.path)
        #expect(file.classes() == ["common", "web::apach"])

        // Replaced by rename (as Puppet writes it): a new inode.
        try "db::postgres\n".write(to: path, atomically: true, encoding: .utf8)
        #expect(file.classes() == ["db::postgres"])

        try FileManager.default.removeItem(at: path)
        #expect(file.classes() == [])
    }
}
