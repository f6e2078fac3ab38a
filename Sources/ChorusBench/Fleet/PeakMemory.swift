import Synchronization

/// The largest resident set seen for each watched process, sampled with
/// `ProcessUsage.sample(pid:)` (every 250 ms while `watch` runs, and whenever `sample` is
/// called), since `/proc` keeps no peak a parent can read after the child exits.
public final class PeakMemory: Sendable {
    private let peaks = Mutex<[Int32: Int]>([:])

    public init() {}

    /// Samples each process once; returns the samples taken.
    @discardableResult
    public func sample(_ pids: [Int32]) -> [Int32: ProcessUsage] {
        var taken: [Int32: ProcessUsage] = [:]
        for pid in pids {
            if let usage = ProcessUsage.sample(pid: pid) { taken[pid] = usage }
        }
        peaks.withLock { peaks in
            for (pid, usage) in taken { peaks[pid] = max(peaks[pid] ?? 0, usage.residentBytes) }
        }
        return taken
    }

    /// Samples `pids()` every `interval` until the task is cancelled.
    public func watch(_ pids: @Sendable () -> [Int32], every interval: Duration = .milliseconds(250)) async {
        while !Task.isCancelled {
            sample(pids())
            try? await Task.sleep(for: interval)
        }
    }

    /// The largest resident set seen for `pid`, in bytes.
    public func peak(_ pid: Int32) -> Int? { peaks.withLock { $0[pid] } }
}
