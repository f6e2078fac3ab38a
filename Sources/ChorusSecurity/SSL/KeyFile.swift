#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Reads key files: regular files only (never blocks on a FIFO), at most 1 MiB, with their
/// permission bits so private keys readable by others can be reported.
enum KeyFile {
    static let maxBytes = 1 << 20

    enum Failure: Error {
        case missing
        case unreadable(String)

        /// The key-file error for `path`.
        func securityError(path: String) -> SecurityError {
            switch self {
            case .missing: return .unreadableKey(path: path, reason: "no such file")
            case .unreadable(let reason): return .unreadableKey(path: path, reason: reason)
            }
        }
    }

    struct Contents {
        var text: String
        /// The permission bits (`st_mode & 0o7777`).
        var permissions: UInt32
    }

    static func contents(of path: String) throws(Failure) -> Contents {
        let descriptor = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC)
        if descriptor < 0 {
            let code = errno
            if code == ENOENT || code == ENOTDIR { throw .missing }
            throw .unreadable(String(cString: strerror(code)))
        }
        defer { close(descriptor) }
        var status = stat()
        guard fstat(descriptor, &status) == 0 else { throw .unreadable(String(cString: strerror(errno))) }
        guard status.st_mode & mode_t(S_IFMT) == mode_t(S_IFREG) else { throw .unreadable("not a regular file") }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 16384)
        while true {
            let count = chunk.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                throw .unreadable(String(cString: strerror(errno)))
            }
            if count == 0 { break }
            bytes.append(contentsOf: chunk[0..<count])
            guard bytes.count <= maxBytes else { throw .unreadable("larger than \(maxBytes) bytes") }
        }
        guard !bytes.isEmpty else { throw .unreadable("the file is empty") }
        return Contents(text: String(decoding: bytes, as: UTF8.self), permissions: UInt32(status.st_mode) & 0o7777)
    }
}

extension KeyFile.Contents {
    /// Refuses a key file anyone may write (mode `o+w`): whoever can replace a private key, or
    /// a public key this side trusts, can sign as its owner.
    func refusingWorldWritable(path: String) throws(SecurityError) -> KeyFile.Contents {
        guard permissions & 0o002 == 0 else {
            let mode = String(permissions, radix: 8)
            throw .unreadableKey(
                path: path, reason: "the file is writable by any user (mode \(mode)), so anyone could replace the key; restrict it with chmod 600 (private) or 644 (public)")
        }
        return self
    }
}

extension SecurityError {
    /// An `unreadableKey` error without a path, given `path`; other errors unchanged.
    func locating(_ path: String) -> SecurityError {
        if case .unreadableKey(let known, let reason) = self, known.isEmpty { return .unreadableKey(path: path, reason: reason) }
        return self
    }
}
