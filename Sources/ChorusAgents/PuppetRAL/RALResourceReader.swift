import Foundation

/// Reads the resources of one type from the node: every one (`search`) or one by title (`find`,
/// which answers for titles that do not exist too, as Puppet does: `ensure => absent`).
public protocol RALResourceReader: Sendable {
    func all() async throws(RALError) -> [RALResource]
    func find(_ title: String) async throws(RALError) -> RALResource
}

/// Small file helpers the readers share.
enum RALFiles {
    /// The file's text; a missing or unreadable file is an error naming it and the setting
    /// (`plugin.puppetral.<setting>`) that chooses it.
    static func text(_ path: String, setting: String) throws(RALError) -> String {
        if let data = FileManager.default.contents(atPath: path) { return String(decoding: data, as: UTF8.self) }
        var isDirectory: ObjCBool = false
        let reason: String
        if !FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) {
            reason = "no such file"
        } else if isDirectory.boolValue {
            reason = "it is a directory"
        } else {
            reason = "permission denied"
        }
        throw .unreadable(path, "\(reason) (plugin.puppetral.\(setting) chooses the file)")
    }

    /// The file's text, nil when it cannot be read (a shadow file for a non-root node).
    static func optionalText(_ path: String) -> String? {
        guard let data = FileManager.default.contents(atPath: path) else { return nil }
        return String(decoding: data, as: UTF8.self)
    }
}
