#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The running process's user and group names, for caller ids.
enum ProcessIdentity {
    static var userName: String? {
        guard let entry = getpwuid(getuid()), let name = entry.pointee.pw_name else { return nil }
        return String(cString: name)
    }

    static var groupName: String? {
        guard let entry = getgrgid(getgid()), let name = entry.pointee.gr_name else { return nil }
        return String(cString: name)
    }
}
