import ChorusServer
import Foundation
import Logging
import RubyMarshal
import Testing

@Suite("Facts and classes from files")
struct FactsTests {
    @Test("YAML facts are normalised as MCollective does: keys and scalars become strings")
    func normalisation() throws {
        let node = try TestNode(facts: """
            cores: 4
            enabled: true
            load: 0.5
            empty:
            interfaces: [eth0, lo]
            os: {family: Debian, release: 12}
            quoted: "007"
            """)
        defer { node.remove() }
        let facts = node.state.facts
        #expect(facts["cores"] == .str("4"))
        #expect(facts["enabled"] == .str("true"))
        #expect(facts["load"] == .str("0.5"))
        #expect(facts["empty"] == .str(""))
        #expect(facts["interfaces"] == .array(["eth0", "lo"]))
        #expect(facts["os"]?["release"] == .str("12"))
        #expect(facts["quoted"] == .str("007"))
        #expect(facts.keys.first == .str("cores"), "file order is kept")
    }

    @Test("facts are re-read when the file changes; a broken edit keeps the previous facts")
    func reload() throws {
        let node = try TestNode(facts: "role: web\n")
        defer { node.remove() }
        #expect(node.state.facts["role"] == .str("web"))
        let path = node.directory.appendingPathComponent("facts.yaml")
        try "role: db\n".write(to: path, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.modificationDate: Date().addingTimeInterval(5)], ofItemAtPath: path.path)
        #expect(node.state.facts["role"] == .str("db"))
        try "role: [unclosed\n".write(to: path, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.modificationDate: Date().addingTimeInterval(10)], ofItemAtPath: path.path)
        #expect(node.state.facts["role"] == .str("db"))
    }

    @Test("classes: one per line, blank lines ignored")
    func classes() throws {
        let node = try TestNode(classes: ["common", "", "  web::nginx  ", ""])
        defer { node.remove() }
        #expect(node.state.classes == ["common", "web::nginx"])
        #expect(ClassesFile(path: "/nonexistent/classes.txt").classes() == [])
    }
}
