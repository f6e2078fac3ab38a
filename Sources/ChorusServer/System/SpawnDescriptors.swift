#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Keeps a spawned child from inheriting the parent's unrelated file descriptors.
///
/// A descriptor opened without `O_CLOEXEC` by any thread (a file being written, a pipe of
/// another command) would otherwise live on in every child spawned meanwhile: a long-running
/// child then holds a script open for writing, and executing that script fails with
/// "Text file busy". glibc 2.34+ has `posix_spawn_file_actions_addclosefrom_np`; it is looked up
/// at run time (the Glibc module does not export GNU extensions), and where it is missing the
/// child inherits as before.
public enum SpawnDescriptors {
    private typealias CloseFrom = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32

    private static let closeFrom: CloseFrom? = {
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "posix_spawn_file_actions_addclosefrom_np") else { return nil }
        return unsafeBitCast(symbol, to: CloseFrom.self)
    }()

    /// Adds "close every descriptor from 3 up" to `actions` (after the dup2s that set up 0–2).
    public static func closeAllAboveStandardStreams(_ actions: inout posix_spawn_file_actions_t) {
        guard let closeFrom else { return }
        _ = closeFrom(&actions, 3)
    }
}
