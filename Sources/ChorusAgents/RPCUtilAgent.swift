import Foundation
import ChorusCore
import ChorusServer
import RubyMarshal

/// `rpcutil`: general actions that expose a node's facts, agents, configuration and
/// statistics to clients (MCollective's agent/rpcutil.rb, with every action it has).
public struct RPCUtilAgent: RPCAgent {
    public let ddl: AgentDDL

    public init() throws {
        ddl = try BuiltinDDL.rpcutil()
    }

    public func perform(_ request: ActionRequest, reply: inout ActionReply, node: any NodeContext) async throws {
        switch request.action {
        case "ping":
            reply["pong"] = .int(Int(time(nil)))
        case "inventory":
            reply["agents"] = .array(node.agentDDLs.map { .str($0.metadata.name) })
            reply["facts"] = .hash(node.facts)
            reply["classes"] = .array(node.classes.map { .str($0) })
            reply["version"] = .str(node.version)
            reply["main_collective"] = .str(node.mainCollective)
            reply["collectives"] = .array(node.collectives.map { .str($0) })
            reply["data_plugins"] = .array(node.dataPluginNames.map { .str("\($0)_data") })
        case "get_fact":
            let fact = request["fact"]?.stringValue ?? ""
            reply["fact"] = .str(fact)
            reply["value"] = Self.lookup(fact, in: node.facts)
        case "get_facts":
            let names = (request["facts"]?.stringValue ?? "").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
            let facts = node.facts
            var values = RubyHash()
            for name in names where !name.isEmpty {
                values.set(Self.lookup(name, in: facts), for: .str(name))
            }
            reply["values"] = .hash(values)
        case "agent_inventory":
            reply["agents"] = .array(node.agentDDLs.map(Self.inventoryEntry))
        case "collective_info":
            reply["main_collective"] = .str(node.mainCollective)
            reply["collectives"] = .array(node.collectives.map { .str($0) })
        case "daemon_stats":
            let stats = node.statistics
            reply["threads"] = .array(Self.threadDescriptions().map { .str($0) })
            reply["agents"] = .array(node.agentDDLs.map { .str($0.metadata.name) })
            reply["pid"] = .int(Int(stats.pid))
            reply["times"] = .hash(RubyHash(symbolKeys: [
                "utime": .float(stats.userTime), "stime": .float(stats.systemTime),
                "cutime": .float(0), "cstime": .float(0),
            ]))
            reply["validated"] = .int(stats.validated)
            reply["unvalidated"] = .int(stats.unvalidated)
            reply["passed"] = .int(stats.passed)
            reply["filtered"] = .int(stats.filtered)
            reply["starttime"] = .int(stats.startTime)
            reply["total"] = .int(stats.total)
            reply["replies"] = .int(stats.replies)
            reply["configfile"] = .str(node.configFile)
            reply["version"] = .str(node.version)
            reply["ttlexpired"] = .int(stats.ttlExpired)
            // Chorus's own counters, outside the DDL so rpcutil stays MCollective's (docs/COMPATIBILITY.md).
            reply["unauthorized"] = .int(stats.unauthorized)
            reply["replayed"] = .int(stats.replayed)
        case "get_config_item":
            let item = request["item"]?.stringValue ?? ""
            reply["item"] = .str(item)
            guard let value = node.configItem(item) else {
                throw RPCError.aborted("Unknown config property \(item)")
            }
            reply["value"] = value
        case "get_data":
            let source = request["source"]?.stringValue ?? ""
            let query = request["query"]?.stringValue
            guard let result = try node.queryData(plugin: source, query: query) else {
                throw RPCError.aborted("Unknown data plugin \(source)")
            }
            for pair in result.pairs { reply.data.set(pair.value, for: pair.key) }
        default:
            throw RPCError.unknownAction("Unknown action \(request.action) for agent rpcutil")
        }
    }

    /// A fact by name; a dotted name reaches into structured facts when no flat fact has that name.
    static func lookup(_ name: String, in facts: RubyHash) -> RubyValue {
        if let value = facts[name] { return value }
        var current: RubyValue = .hash(facts)
        for part in name.split(separator: ".") {
            guard let next = current[String(part)] else { return .nil }
            current = next
        }
        return name.contains(".") ? current : .nil
    }

    static func inventoryEntry(_ ddl: AgentDDL) -> RubyValue {
        let meta = ddl.metadata
        return .hash(RubyHash(symbolKeys: [
            "agent": .str(meta.name),
            "license": .str(meta.license),
            "timeout": .int(meta.timeout),
            "description": .str(meta.description),
            "name": .str(meta.name),
            "url": .str(meta.url),
            "version": .str(meta.version),
            "author": .str(meta.author),
        ]))
    }

    /// What the daemon is running: Chorus uses Swift concurrency rather than one thread per
    /// request, so this lists the process's OS threads by name from /proc.
    static func threadDescriptions() -> [String] {
        let base = "/proc/self/task"
        guard let tasks = try? FileManager.default.contentsOfDirectory(atPath: base) else { return [] }
        return tasks.sorted { (Int($0) ?? 0) < (Int($1) ?? 0) }.map { tid in
            let name = (try? String(contentsOfFile: "\(base)/\(tid)/comm", encoding: .utf8))?
                .trimmingCharacters(in: .whitespacesAndNewlines) ?? "?"
            return "#<Thread:\(tid) \(name)>"
        }
    }
}
