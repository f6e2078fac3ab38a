import ChorusCore
import RubyMarshal

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// `fstat('/etc/hosts').size`: file status (MCollective fstat_data.rb). `stat(2)`s the file
/// (`lstat(2)` for a symlink) and hands the numbers to `FstatData.result`.
public struct FstatDataPlugin: DataPlugin {
    /// Hex MD5 of a regular file's contents; nil leaves the `md5` output nil.
    public typealias Digest = @Sendable ([UInt8]) -> String

    /// Files larger than this are not read for their MD5.
    public static let digestLimit = 64 << 20

    private let digest: Digest?

    // TODO: ChorusServer cannot import Crypto until Package.swift lists it; pass
    // `{ Insecure.MD5.hash(data: $0).hex }` from a module that can (ChorusSecurity / the executable).
    public init(digest: Digest? = nil) {
        self.digest = digest
    }

    public var ddl: AgentDDL { FstatData.ddl }

    public func query(_ argument: String?, node: some DataPluginNode) throws(DataPluginError) -> RubyHash {
        let path = argument ?? ""
        let now = Int(time(nil))
        let status = Self.status(of: path)
        var md5: String?
        if let status, status.kind == .file, let digest, let bytes = Self.contents(of: path, limit: Self.digestLimit) {
            md5 = digest(bytes)
        }
        return FstatData.result(name: path, status: status, md5: md5, now: now, utcOffset: Self.utcOffset(at: now))
    }

    /// Ruby's `File.exists?` then `File.lstat`/`File.stat`: nil when the path (or a symlink's target) is missing.
    static func status(of path: String) -> FileStatus? {
        var target = stat()
        guard stat(path, &target) == 0 else { return nil }
        var link = stat()
        if lstat(path, &link) == 0, FileStatus.kind(fromMode: UInt32(link.st_mode)) == .symlink {
            return fileStatus(link)
        }
        return fileStatus(target)
    }

    private static func fileStatus(_ s: stat) -> FileStatus {
        #if canImport(Darwin)
            let (m, c, a) = (s.st_mtimespec.tv_sec, s.st_ctimespec.tv_sec, s.st_atimespec.tv_sec)
        #else
            let (m, c, a) = (s.st_mtim.tv_sec, s.st_ctim.tv_sec, s.st_atim.tv_sec)
        #endif
        let mode = UInt32(s.st_mode)
        return FileStatus(
            kind: FileStatus.kind(fromMode: mode), mode: mode, size: Int(s.st_size), uid: Int(s.st_uid),
            gid: Int(s.st_gid), mtime: Int(m), ctime: Int(c), atime: Int(a))
    }

    /// The node's offset from UTC at `seconds`, for `%F %T` in local time as Ruby prints it.
    static func utcOffset(at seconds: Int) -> Int {
        var t = time_t(seconds)
        var parts = tm()
        guard localtime_r(&t, &parts) != nil else { return 0 }
        return Int(parts.tm_gmtoff)
    }

    static func contents(of path: String, limit: Int) -> [UInt8]? {
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65_536)
        while true {
            let count = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                return nil
            }
            if count == 0 { return bytes }
            bytes.append(contentsOf: chunk[0..<count])
            if bytes.count > limit { return nil }
        }
    }
}
