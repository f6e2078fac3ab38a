import ChorusCore
import ChorusServer
import RubyMarshal

/// `puppetral`: views resources through a native resource abstraction layer (PE's
/// "View resources with Puppet's resource abstraction layer", read-only as PE 3.8 ships it).
///
/// `find type=T title=X` replies with `type` (`User`), `title`, `tags`, `exported` (false),
/// `managed` and `parameters` (the properties `puppet resource T X` prints; packages keep
/// `provider`). `search type=T` replies with `result`: title → the same resource hash.
/// Types other than group, host, package, service and user are status 1, naming the supported
/// ones. Settings: `RALSettings` (`plugin.puppetral.*`).
public struct PuppetRALAgent: RPCAgent {
    public let ddl: AgentDDL
    /// The RAL, or why the settings did not allow one (every action then fails with that message).
    public let ral: Result<PuppetRAL, RALError>

    /// The agent as a node configures it from its `plugin.puppetral.*` settings.
    public init(settings: PluginSettings = PluginSettings()) throws {
        let ral: Result<PuppetRAL, RALError>
        do {
            ral = .success(PuppetRAL(settings: try RALSettings(settings)))
        } catch {
            ral = .failure(error)
        }
        try self.init(ral: ral)
    }

    /// The agent over a given RAL.
    public init(ral: Result<PuppetRAL, RALError>) throws {
        ddl = try BuiltinDDL.named("puppetral")!
        self.ral = ral
    }

    public func perform(_ request: ActionRequest, reply: inout ActionReply, node: any NodeContext) async throws {
        let ral: PuppetRAL
        switch self.ral {
        case .success(let ready): ral = ready
        case .failure(let error): throw RPCError.aborted(error.description)
        }
        do {
            let type = try PuppetRAL.type(named: request["type"]?.stringValue ?? "")
            switch request.action {
            case "find":
                let title = request["title"]?.stringValue ?? ""
                let resource = try await ral.find(type, title: title)
                reply["type"] = .str(type.puppetName)
                reply["title"] = .str(resource.title)
                reply["tags"] = .array(resource.tags.map { .str($0) })
                reply["exported"] = .bool(false)
                reply["managed"] = ral.managed(type, title: title)
                reply["parameters"] = .hash(resource.parameterHash)
            case "search":
                let resources = try await ral.search(type)
                reply["result"] = .hash(RubyHash(pairs: resources.map { RubyHash.Pair(key: .str($0.title), value: .hash($0.dataHash)) }))
            default:
                throw RPCError.unknownAction("Unknown action \(request.action) for agent puppetral")
            }
        } catch let error as RALError {
            if case .invalidTitle(let message) = error { throw RPCError.invalidData(message) }
            throw RPCError.aborted(error.description)
        }
    }
}
