import Foundation
import ChorusServer

/// Which resources the `resource` action may apply on this node (`plugin.puppet.resource_*`).
///
/// As the original agent: with neither a type whitelist nor a blacklist every type is
/// denied; `resource_type_whitelist = none` also denies every type; a type blacklist allows
/// every type not on it. Names of one type can be white- or blacklisted the same way
/// (`resource_name_whitelist.<type>`). Resources the last catalog manages (resources.txt)
/// are refused unless `resource_allow_managed_resources` is true, so an ad-hoc change never
/// fights Puppet.
public struct PuppetResourcePolicy: Sendable, Hashable {
    public enum List: Sendable, Hashable {
        case allowOnly(Set<String>)
        case deny(Set<String>)
        /// Both a whitelist and a blacklist are configured: a configuration error.
        case conflicting
        case unrestricted
    }

    public var types: List
    /// Per-type name lists, by lower-case type name.
    public var names: [String: List]
    public var allowManagedResources: Bool

    public init(types: List, names: [String: List] = [:], allowManagedResources: Bool = false) {
        self.types = types
        self.names = names
        self.allowManagedResources = allowManagedResources
    }

    /// The policy from the puppet plugin's own settings.
    public init(_ settings: PluginSettings) {
        func list(white: String?, black: String?, unset: List) -> List {
            switch (white, black) {
            case (.some, .some): return .conflicting
            case (.some(let white), nil): return .allowOnly(white == "none" ? [] : Self.items(white))
            case (nil, .some(let black)): return .deny(Self.items(black))
            case (nil, nil): return unset
            }
        }
        types = list(white: settings["resource_type_whitelist"], black: settings["resource_type_blacklist"], unset: .allowOnly([]))
        var names: [String: List] = [:]
        for key in settings.values.keys where key.hasPrefix("resource_name_whitelist.") || key.hasPrefix("resource_name_blacklist.") {
            let type = String(key.split(separator: ".", maxSplits: 1)[1]).lowercased()
            names[type] = list(
                white: settings["resource_name_whitelist.\(type)"], black: settings["resource_name_blacklist.\(type)"], unset: .unrestricted)
        }
        self.names = names
        allowManagedResources = settings.bool("resource_allow_managed_resources", default: false)
    }

    private static func items(_ text: String) -> Set<String> {
        Set(text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty })
    }

    /// Why applying `type[name]` is refused, or nil when it is allowed. `managed` is the
    /// content of resources.txt as `PuppetManagedResources.parse` reads it (lower case).
    public func refusal(type: String, name: String, managed: Set<String>) -> String? {
        let type = type.lowercased()
        switch types {
        case .conflicting:
            return "You cannot specify both plugin.puppet.resource_type_whitelist and plugin.puppet.resource_type_blacklist in the configuration"
        case .deny(let listed) where listed.contains(type):
            return "The \(type) type is listed in the type blacklist (plugin.puppet.resource_type_blacklist)"
        case .allowOnly(let listed) where !listed.contains(type):
            return "The \(type) type is not listed in the type whitelist (plugin.puppet.resource_type_whitelist)"
        default:
            break
        }
        switch names[type] ?? .unrestricted {
        case .conflicting:
            return "You cannot specify both plugin.puppet.resource_name_whitelist.\(type) and plugin.puppet.resource_name_blacklist.\(type) in the configuration"
        case .deny(let listed) where listed.contains(name):
            return "The \(name) name is listed in the name blacklist (plugin.puppet.resource_name_blacklist.\(type))"
        case .allowOnly(let listed) where !listed.contains(name):
            return "The \(name) name is not listed in the name whitelist (plugin.puppet.resource_name_whitelist.\(type))"
        default:
            break
        }
        if !allowManagedResources && managed.contains("\(type)[\(name)]".lowercased()) {
            return "Puppet is managing the resource '\(PuppetResourceName.display(type: type, name: name))', refusing to create conflicting states"
        }
        return nil
    }
}

/// Puppet's spelling of resource references.
public enum PuppetResourceName {
    /// `File[/etc/motd]`, `Foo::Bar[x]`: each `::` segment of the type capitalised.
    public static func display(type: String, name: String) -> String {
        "\(capitalizedType(type))[\(name)]"
    }

    /// `file` → `File`, `foo::bar` → `Foo::Bar`.
    public static func capitalizedType(_ type: String) -> String {
        type.lowercased().components(separatedBy: "::").map { $0.prefix(1).uppercased() + $0.dropFirst() }.joined(separator: "::")
    }
}
