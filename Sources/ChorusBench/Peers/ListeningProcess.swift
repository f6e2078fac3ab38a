import Glibc

/// Finds the process that listens on a TCP port, from `/proc` alone (as `ss -ltnp` does):
/// the listening socket's inode in `/proc/net/tcp` or `/proc/net/tcp6`, then the process
/// one of whose `/proc/PID/fd/*` links is `socket:[INODE]`.
///
/// Needs the right to read the other process's `fd` directory (root, or the same user).
public enum ListeningProcess {
    /// The pid of the process listening on `port` (any local address), or nil.
    public static func pid(listeningOnPort port: Int) -> Int32? {
        var inodes: Set<String> = []
        for table in ["/proc/net/tcp", "/proc/net/tcp6"] {
            guard let text = ProcFile.read(table) else { continue }
            inodes.formUnion(listeningInodes(inTable: text, port: port))
        }
        guard !inodes.isEmpty else { return nil }
        return pid(owningSocketInodes: inodes)
    }

    /// The inodes of the sockets in LISTEN state (`0A`) on `port` in the text of
    /// `/proc/net/tcp` or `/proc/net/tcp6` (fields: sl, local_address HEX:PORTHEX, rem_address,
    /// st, tx:rx, tr:when, retrnsmt, uid, timeout, inode, …).
    public static func listeningInodes(inTable text: String, port: Int) -> [String] {
        var found: [String] = []
        for line in text.split(separator: "\n").dropFirst() {
            let fields = line.split(separator: " ", omittingEmptySubsequences: true)
            guard fields.count > 9, fields[3] == "0A",
                  let colon = fields[1].lastIndex(of: ":"),
                  Int(fields[1][fields[1].index(after: colon)...], radix: 16) == port,
                  fields[9] != "0" else { continue }
            found.append(String(fields[9]))
        }
        return found
    }

    private static func pid(owningSocketInodes inodes: Set<String>) -> Int32? {
        let targets = Set(inodes.map { "socket:[\($0)]" })
        guard let processes = opendir("/proc") else { return nil }
        defer { closedir(processes) }
        while let entry = readdir(processes) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            guard let pid = Int32(name) else { continue }
            guard let descriptors = opendir("/proc/\(name)/fd") else { continue }
            defer { closedir(descriptors) }
            while let fd = readdir(descriptors) {
                let fdName = withUnsafeBytes(of: fd.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
                guard fdName.first?.isNumber == true else { continue }
                var link = [CChar](repeating: 0, count: 64)
                let length = readlink("/proc/\(name)/fd/\(fdName)", &link, link.count - 1)
                guard length > 0 else { continue }
                let target = String(decoding: link[0..<length].map { UInt8(bitPattern: $0) }, as: UTF8.self)
                if targets.contains(target) { return pid }
            }
        }
        return nil
    }
}
