import Foundation

/// What /proc says about a process the tests started or stopped through someone else (a
/// daemon reparented to PID 1, which may reap it late).
public enum ProcessState {
    /// Whether `pid` is a live process; a zombie waiting to be reaped is not.
    public static func isAlive(_ pid: pid_t) -> Bool {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
            let close = stat.lastIndex(of: ")")
        else { return false }
        let state = stat[stat.index(after: close)...].trimmingCharacters(in: .whitespaces).first
        return state != "Z" && state != "X"
    }

    /// Whether `pid` is gone (or a zombie) within 3 s: start-stop-daemon reports a process
    /// stopped once its executable is released, a moment before the kernel lists it as a zombie.
    public static func dies(_ pid: pid_t) async -> Bool {
        for _ in 0..<150 {
            if !isAlive(pid) { return true }
            try? await Task.sleep(for: .milliseconds(20))
        }
        return false
    }
}
