/// What an init script's exit status means, by the Linux Standard Base's rules for init
/// script actions (LSB Core, "Init Script Actions").
public enum LSBExitStatus {
    /// Reads the answer to `status`: 0 running; 1 (dead, pid file left), 2 (dead, lock file
    /// left) and 3 stopped; 4 "status unknown", which is what init scripts and `systemctl`
    /// answer for a service that does not exist. Debian's `service` wrapper answers a missing
    /// script with status 1 and "NAME: unrecognized service", which also means no such service.
    public static func statusReading(exitStatus: Int32?, output: String) -> ServiceStatusReading {
        guard let exitStatus else { return .unreadable("the status command was killed by a signal") }
        if exitStatus == 1 && output.contains("unrecognized service") { return .noSuchService }
        switch exitStatus {
        case 0: return .state(.running)
        case 1, 2, 3: return .state(.stopped)
        case 4: return .noSuchService
        default: return .unreadable("status exit code \(exitStatus) (\(meaningOfStatus(exitStatus)))")
        }
    }

    /// The LSB meaning of the exit status of `status`.
    public static func meaningOfStatus(_ code: Int32) -> String {
        switch code {
        case 0: return "running"
        case 1: return "dead, pid file exists"
        case 2: return "dead, lock file exists"
        case 3: return "not running"
        case 4: return "status unknown"
        case 150...199: return "reserved for the distribution"
        case 200...254: return "reserved for the application"
        default: return "reserved by the LSB"
        }
    }

    /// The LSB meaning of the exit status of `start`, `stop` and `restart`.
    public static func meaningOfAction(_ code: Int32) -> String {
        switch code {
        case 0: return "success"
        case 1: return "generic or unspecified error"
        case 2: return "invalid or excess arguments"
        case 3: return "unimplemented feature"
        case 4: return "user had insufficient privilege"
        case 5: return "program is not installed"
        case 6: return "program is not configured"
        case 7: return "program is not running"
        case 150...199: return "reserved for the distribution"
        case 200...254: return "reserved for the application"
        default: return "reserved by the LSB"
        }
    }
}
