#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// What `stat(2)` says about a file, enough to notice any rewrite: device and inode (a file
/// replaced by rename), size, and modification and change times to the nanosecond.
struct FileSignature: Sendable, Hashable {
    var device: UInt64
    var inode: UInt64
    var size: Int64
    var modified: Int64
    var modifiedNanoseconds: Int
    var changed: Int64
    var changedNanoseconds: Int
    var isRegularFile: Bool

    /// The file's signature now; nil when nothing exists at `path`.
    static func of(_ path: String) -> FileSignature? {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        #if canImport(Glibc)
        let (m, c) = (info.st_mtim, info.st_ctim)
        #else
        let (m, c) = (info.st_mtimespec, info.st_ctimespec)
        #endif
        return FileSignature(
            device: UInt64(info.st_dev), inode: UInt64(info.st_ino), size: Int64(info.st_size),
            modified: Int64(m.tv_sec), modifiedNanoseconds: Int(m.tv_nsec),
            changed: Int64(c.tv_sec), changedNanoseconds: Int(c.tv_nsec),
            isRegularFile: (info.st_mode & S_IFMT) == S_IFREG)
    }
}
