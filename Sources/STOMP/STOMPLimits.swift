/// Bounds the STOMP parser enforces before it buffers data, so a hostile or broken peer
/// cannot make it allocate without limit.
public struct STOMPLimits: Sendable, Equatable {
    /// Largest body (declared by `content-length` or found by scanning for the NUL) and largest
    /// header block, in bytes. A frame declaring a larger `content-length` fails at once.
    public var maxFrameBytes: Int
    /// Most header lines one frame may carry.
    public var maxHeaderCount: Int
    /// Longest command or header line, in bytes, excluding its end of line.
    public var maxHeaderLineBytes: Int

    /// - Parameters:
    ///   - maxFrameBytes: largest body or header block (default 16 MiB).
    ///   - maxHeaderCount: most header lines per frame (default 128).
    ///   - maxHeaderLineBytes: longest header line (default 8192).
    public init(maxFrameBytes: Int = 16 * 1024 * 1024, maxHeaderCount: Int = 128, maxHeaderLineBytes: Int = 8192) {
        self.maxFrameBytes = maxFrameBytes
        self.maxHeaderCount = maxHeaderCount
        self.maxHeaderLineBytes = maxHeaderLineBytes
    }

    /// 16 MiB frames, 128 headers, 8 KiB header lines.
    public static let `default` = STOMPLimits()
}
