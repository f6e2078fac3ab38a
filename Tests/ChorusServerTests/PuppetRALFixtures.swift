import ChorusAgents
import Foundation
import RubyMarshal

/// Files in Tests/Fixtures/puppetral (see its README for where each came from).
enum PuppetRALFixtures {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/puppetral")

    static func path(_ name: String) -> String { directory.appendingPathComponent(name).path }

    static func text(_ name: String) throws -> String {
        try String(contentsOfFile: path(name), encoding: .utf8)
    }

    static func json(_ name: String) throws -> RubyValue {
        try RubyValue(json: try text(name))
    }

    /// Oracle resources (`{"TYPE": {"TITLE": {param: value}}}` or `{"TITLE": {…}}`) as title →
    /// parameters, `provider` dropped unless `keepProvider` (the agent keeps it for packages only).
    static func oracle(_ value: RubyValue, keepProvider: Bool = false) -> [String: [String: RubyValue]] {
        var table: [String: [String: RubyValue]] = [:]
        for pair in value.asHash?.pairs ?? [] {
            guard let title = pair.key.stringValue, let parameters = pair.value.asHash else { continue }
            var row: [String: RubyValue] = [:]
            for parameter in parameters.pairs {
                guard let name = parameter.key.stringValue, keepProvider || name != "provider" else { continue }
                row[name] = parameter.value
            }
            table[title] = row
        }
        return table
    }

    /// Chorus's resources in the same shape.
    static func table(_ resources: [RALResource]) -> [String: [String: RubyValue]] {
        var table: [String: [String: RubyValue]] = [:]
        for resource in resources {
            table[resource.title] = parameters(resource)
        }
        return table
    }

    static func parameters(_ resource: RALResource) -> [String: RubyValue] {
        Dictionary(uniqueKeysWithValues: resource.parameters.map { ($0.name, $0.value) })
    }

    /// The account files as this machine had them.
    static func accounts(showPasswordHashes: Bool = false, shadowFile: String = "shadow") throws -> RALAccounts {
        RALAccounts(
            passwd: RALAccountFiles.passwd(try text("passwd")), shadow: RALAccountFiles.shadow(try text(shadowFile)),
            groups: RALAccountFiles.group(try text("group")), showPasswordHashes: showPasswordHashes)
    }
}
