/// What `stat(2)` (or `lstat(2)` for a symlink) says about a file, as the `fstat` data plugin reports it.
public struct FileStatus: Sendable, Hashable {
    /// The file types MCollective's fstat distinguishes; anything else (a FIFO) is `unknown`.
    public enum Kind: String, Sendable, Hashable {
        case file, directory, symlink, socket, chardev, blockdev, unknown
    }

    public var kind: Kind
    /// The full `st_mode`, type bits included (printed in octal, e.g. `100644`).
    public var mode: UInt32
    public var size: Int
    public var uid: Int
    public var gid: Int
    /// Seconds since the epoch.
    public var mtime: Int
    public var ctime: Int
    public var atime: Int

    public init(kind: Kind, mode: UInt32, size: Int, uid: Int, gid: Int, mtime: Int, ctime: Int, atime: Int) {
        self.kind = kind
        self.mode = mode
        self.size = size
        self.uid = uid
        self.gid = gid
        self.mtime = mtime
        self.ctime = ctime
        self.atime = atime
    }

    /// The kind encoded in `st_mode`'s type bits (`S_IFMT`).
    public static func kind(fromMode mode: UInt32) -> Kind {
        switch mode & 0o170000 {
        case 0o100000: return .file
        case 0o040000: return .directory
        case 0o120000: return .symlink
        case 0o140000: return .socket
        case 0o020000: return .chardev
        case 0o060000: return .blockdev
        default: return .unknown
        }
    }
}
