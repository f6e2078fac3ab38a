import ChorusTestSupport
import Foundation
import Testing

extension EndToEnd {
    /// The README's first command: `chorus demo` must run its whole tour on a fresh machine.
    @Suite("chorus demo")
    struct DemoTests {
        @Test("the tour (as the README runs it: five nodes) runs every step, each step succeeds, and nothing is left running")
        func tour() async throws {
            let directory = FileManager.default.temporaryDirectory.appendingPathComponent("chorus-demo-\(UUID().uuidString)")
            defer { try? FileManager.default.removeItem(at: directory) }
            let result = try await CommandResult.run(["demo", "--directory", directory.path])
            #expect(result.status == 0, "\(result.stderr)")
            #expect(!result.stdout.contains("(exit code"), "a step failed:\n\(result.stdout)")
            for header in ["Which nodes are alive", "Find the web servers", "A compound filter", "Ask every node for a fact",
                           "Everything about one node", "The installed version of a package", "Browse a resource across the fleet"] {
                #expect(result.stdout.contains(header), "missing step: \(header)")
            }
            #expect(result.stdout.contains("Finished processing 5 / 5 hosts"))
            #expect(result.stdout.contains("bash"))
            #expect(result.stdout.contains("on 5 nodes"), "resource user root: \(result.stdout)")
            // Every broker and node the demo started has stopped: their pid files name no live process.
            let pids = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
            #expect(!pids.isEmpty)
            let survivors = try await CommandResult.run(executable: "/usr/bin/pgrep", ["-f", directory.path])
            #expect(survivors.stdout.isEmpty, "still running: \(survivors.stdout)")
        }
    }
}
