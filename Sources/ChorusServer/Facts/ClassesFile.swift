import Foundation
import Synchronization

/// The configuration management classes of a node: one per line in `classesfile`
/// (as Puppet writes `classes.txt`), re-read when the file changes.
///
/// The lines are cached with the file's identity, size and modification time (`stat(2)`);
/// a filter on classes costs one `stat` per request while the file stays the same.
public struct ClassesFile: Sendable {
    public let path: String?
    private let cache = Cache()

    public init(path: String?) { self.path = path }

    /// The classes now; empty when there is no file.
    public func classes() -> [String] {
        guard let path, let stamp = FileStamp(path: path) else { return [] }
        if let cached = cache.entry.withLock({ $0 }), cached.stamp == stamp { return cached.classes }
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return [] }
        let classes = text.split(whereSeparator: \.isNewline)
            .map { $0.trimmingCharacters(in: .whitespaces) }
            .filter { !$0.isEmpty }
        cache.entry.withLock { $0 = (stamp, classes) }
        return classes
    }

    private final class Cache: Sendable {
        let entry = Mutex<(stamp: FileStamp, classes: [String])?>(nil)
    }
}

/// What `stat(2)` says about a file that changes when it is rewritten or replaced.
struct FileStamp: Equatable, Sendable {
    var device: UInt64
    var inode: UInt64
    var size: Int64
    var modifiedSeconds: Int
    var modifiedNanoseconds: Int

    init?(path: String) {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        device = UInt64(info.st_dev)
        inode = UInt64(info.st_ino)
        size = Int64(info.st_size)
        #if os(Linux)
        modifiedSeconds = Int(info.st_mtim.tv_sec)
        modifiedNanoseconds = Int(info.st_mtim.tv_nsec)
        #else
        modifiedSeconds = Int(info.st_mtimespec.tv_sec)
        modifiedNanoseconds = Int(info.st_mtimespec.tv_nsec)
        #endif
    }
}
