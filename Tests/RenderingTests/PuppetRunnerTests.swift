import ChorusClient
import Testing

/// `runall`'s state machine driven with synthetic status sequences.
@Suite("puppet runall state machine")
struct PuppetRunnerTests {
    typealias Status = PuppetRunner.NodeStatus

    @Test("3 nodes, concurrency 2: two start, the third starts when one finishes, then all complete")
    func concurrency() {
        var runner = PuppetRunner(nodes: ["n1", "n2", "n3"], concurrency: 2)
        runner.update(["n1": Status(applying: false, lastRun: 50), "n2": Status(applying: false, lastRun: 50), "n3": Status(applying: false, lastRun: 50)])
        #expect(runner.running.isEmpty)
        #expect(runner.nextToStart() == ["n1", "n2"])
        runner.started("n1", initiatedAt: 100)
        runner.started("n2", initiatedAt: 100)
        #expect(runner.nextToStart().isEmpty)
        // n1 applying, n2 not yet: one check.
        var events = runner.update(["n1": Status(applying: true, lastRun: 50), "n2": Status(applying: false, lastRun: 50), "n3": Status(applying: false, lastRun: 50)])
        #expect(events.isEmpty && runner.running.map(\.node) == ["n1", "n2"])
        #expect(runner.running[1].checks == 1)
        // n1 done (lastrun after it was started), n2 applying.
        events = runner.update(["n1": Status(applying: false, lastRun: 103), "n2": Status(applying: true, lastRun: 50), "n3": Status(applying: false, lastRun: 50)])
        #expect(events == [.completed("n1")])
        #expect(runner.nextToStart() == ["n3"])
        runner.started("n3", initiatedAt: 104)
        #expect(!runner.finished)
        events = runner.update(["n1": Status(applying: false, lastRun: 103), "n2": Status(applying: false, lastRun: 105), "n3": Status(applying: false, lastRun: 106)])
        #expect(events == [.completed("n2"), .completed("n3")])
        #expect(runner.finished)
        #expect(runner.started == ["n1", "n2", "n3"] && runner.completed == ["n1", "n2", "n3"] && runner.skipped.isEmpty)
    }

    @Test("a node already applying takes a slot and is started after its current run")
    func alreadyApplying() {
        var runner = PuppetRunner(nodes: ["a", "b"], concurrency: 1)
        runner.update(["a": Status(applying: true, lastRun: 10), "b": Status(applying: false, lastRun: 10)])
        #expect(runner.running.map(\.node) == ["a"])
        #expect(runner.nextToStart().isEmpty)
        let events = runner.update(["a": Status(applying: false, lastRun: 20), "b": Status(applying: false, lastRun: 10)])
        #expect(events.isEmpty, "a run we did not start is not reported")
        #expect(runner.nextToStart() == ["a"])
    }

    @Test("a started node that never applies is skipped after 5 polls; a silent one after 5 missed polls")
    func skipping() {
        var runner = PuppetRunner(nodes: ["lazy", "gone"], concurrency: 2)
        runner.started("lazy", initiatedAt: 100)
        runner.started("gone", initiatedAt: 100)
        var all: [PuppetRunner.Event] = []
        for _ in 0..<5 { all += runner.update(["lazy": Status(applying: false, lastRun: 99)]) }
        #expect(all.filter { $0 == .noResponse("gone") }.count == 5)
        #expect(all.contains(.didNotStart("lazy")) && all.contains(.unresponsive("gone")))
        #expect(all.last == .unresponsive("gone"))
        #expect(runner.finished && runner.skipped.sorted() == ["gone", "lazy"] && runner.completed.isEmpty)
        #expect(PuppetRunner.Event.didNotStart("lazy").message == "Host lazy did not move into an applying state. Skipping.")
    }

    @Test("a node that refuses the run is not tracked")
    func refused() {
        var runner = PuppetRunner(nodes: ["x"], concurrency: 1)
        #expect(runner.nextToStart() == ["x"])
        runner.refused("x")
        #expect(runner.finished && runner.started.isEmpty)
    }
}
