import ChorusCore
import RubyMarshal

/// The three oracle nodes (oracle README §2): facts, classes, and the agents every node loads.
enum OracleNodes {
    static func node(_ identity: String, osfamily: String, role: String, datacenter: String, cores: String, role_class: String)
        -> NodeSnapshot
    {
        NodeSnapshot(
            identity: identity,
            facts: RubyHash(stringKeys: [
                "osfamily": .str(osfamily), "role": .str(role), "datacenter": .str(datacenter),
                "hostname": .str(identity), "cores": .str(cores),
            ]),
            classes: ["settings", "default", role_class, "common"],
            agents: ["discovery", "rpcutil"],
            agentMetadata: [
                "rpcutil": PluginMetadata(
                    name: "rpcutil", description: "General helpful actions that expose stats and internals to SimpleRPC clients",
                    author: "R.I.Pienaar <rip@devco.net>", license: "Apache License, Version 2.0", version: "1.0",
                    url: "https://docs.puppetlabs.com/mcollective/", timeout: 10)
            ],
            dataPlugins: [FactDataPlugin(), AgentDataPlugin(), CollectiveDataPlugin()])
    }

    static let all: [NodeSnapshot] = [
        node("node1", osfamily: "Debian", role: "web", datacenter: "ams", cores: "4", role_class: "web::nginx"),
        node("node2", osfamily: "RedHat", role: "db", datacenter: "ams", cores: "8", role_class: "db::postgres"),
        node("node3", osfamily: "Debian", role: "web", datacenter: "fra", cores: "2", role_class: "web::apache"),
    ]

    /// The identities `filter` selects among the three nodes.
    static func selected(by filter: Filter) -> Set<String> {
        Set(all.filter { filter.matches($0) }.map(\.identity))
    }
}

/// Builds a filter from mco-style options, as `mco find` does (discovery adds `-A rpcutil`).
struct CLIFilter: Sendable, CustomStringConvertible {
    var facts: [String] = []
    var classes: [String] = []
    var agents: [String] = []
    var identities: [String] = []
    var with: [String] = []
    var select: [String] = []

    func filter(discoveryAgent: String? = "rpcutil") throws -> Filter {
        var filter = Filter()
        for fact in facts { try filter.addFact(fact) }
        filter.classes += classes
        filter.agents += agents
        filter.identities += identities
        for combined in with { filter.addWith(combined) }
        for expression in select { try filter.addCompound(expression) }
        if let discoveryAgent, !filter.agents.contains(discoveryAgent) { filter.agents.append(discoveryAgent) }
        return filter
    }

    var description: String {
        (facts.map { "-F \($0)" } + classes.map { "-C \($0)" } + agents.map { "-A \($0)" }
            + identities.map { "-I \($0)" } + with.map { "-W \($0)" } + select.map { "-S \($0)" }).joined(separator: " ")
    }
}

/// Reads captured oracle frames (Tests/Fixtures/frames).
enum OracleFrames {
    static let directory: String = {
        var parts = #filePath.split(separator: "/", omittingEmptySubsequences: false)
        parts.removeLast(2)
        return parts.joined(separator: "/") + "/Fixtures/frames"
    }()

    static func bytes(_ name: String) throws -> [UInt8] {
        let path = directory + "/" + name
        guard let file = fopen(path, "rb") else { throw FixtureMissing(path: path) }
        defer { fclose(file) }
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = fread(&buffer, 1, buffer.count, file)
            if count <= 0 { break }
            bytes += buffer[0..<count]
        }
        return bytes
    }

    /// The request envelope (Marshal) in a SEND frame's body.
    static func envelope(_ name: String) throws -> RubyValue {
        let frame = try bytes(name)
        var headerEnd = 0
        while headerEnd + 1 < frame.count, !(frame[headerEnd] == 10 && frame[headerEnd + 1] == 10) { headerEnd += 1 }
        let headers = String(decoding: frame[..<headerEnd], as: UTF8.self)
        let lengthLine = headers.split(separator: "\n").first { $0.hasPrefix("content-length:") }
        let length = Int(lengthLine?.dropFirst("content-length:".count) ?? "") ?? 0
        let body = frame[(headerEnd + 2)..<(headerEnd + 2 + length)]
        return try RubyMarshal.decode(body)
    }

    struct FixtureMissing: Error { var path: String }
}

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif
