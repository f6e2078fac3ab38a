import ChorusTestSupport
import Foundation

/// One broker and the oracle's three nodes, started once and shared by the tests that
/// only read from the fleet (tests that stop or break things start their own).
actor SharedFleet {
    static let shared = SharedFleet()
    private var fleet: Fleet?
    private var starting: Task<Fleet, any Error>?

    func get() async throws -> Fleet {
        if let fleet { return fleet }
        if let starting { return try await starting.value }
        let task = Task {
            let fleet = try Fleet()
            try await fleet.start()
            return fleet
        }
        starting = task
        let started = try await task.value
        fleet = started
        return started
    }
}
