import Foundation

/// The configuration management classes of a node: one per line in `classesfile`
/// (as Puppet writes `classes.txt`), re-read when the file changes.
public struct ClassesFile: Sendable {
    public let path: String?

    public init(path: String?) { self.path = path }

    /// The classes now; empty when there is no file.
    public func classes() -> [String] {
        guard let path, let text = try? String(contentsOfFile: path, encoding: .utf8) else { return [] }
        return text.split(whereSeparator: \.isNewline)
            .map { $0.trimmingCharacters(in: .whitespaces) }
            .filter { !$0.isEmpty }
    }
}
