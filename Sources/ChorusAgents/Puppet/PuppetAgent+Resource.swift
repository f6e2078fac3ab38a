import Foundation
import ChorusServer
import RubyMarshal

extension PuppetAgent {
    /// `resource`: applies one resource with `puppet resource TYPE NAME key=value…`, if the
    /// node's policy allows the type and name and Puppet's catalog does not manage it.
    /// Inputs beyond `name` and `type` are the resource's properties.
    func applyResource(_ request: ActionRequest, reply: inout ActionReply) async throws {
        let type = (request["type"]?.stringValue ?? "").lowercased()
        let name = request["name"]?.stringValue ?? ""
        guard Self.isTypeName(type) else {
            throw RPCError.invalidData("Cannot validate input type: '\(type)' is not a Puppet resource type name (letters, digits, _ and ::)")
        }
        let properties = try Self.properties(request.arguments)
        if let refusal = settings.resourcePolicy.refusal(type: type, name: name, managed: Set(files.managedResources())) {
            throw RPCError.aborted(refusal)
        }
        let command = SystemCommand(
            settings.executable, ["resource", "--color=false", "--", type, name] + properties,
            environment: Self.environment, timeout: .seconds(max(1, ddl.metadata.timeout - 2)), outputLimit: 1 << 20)
        let result: SystemCommandResult
        do {
            result = try await command.run()
        } catch {
            throw RPCError.aborted("Cannot run puppet resource: \(error.description)")
        }
        if result.timedOut { throw RPCError.aborted("puppet resource \(result.outcomeDescription)") }
        let outcome = PuppetResourceOutcome.parse(
            standardOutput: result.standardOutput, standardError: result.standardError, exitStatus: result.exitStatus, type: type, name: name)
        reply["result"] = .str(outcome.result)
        reply["changed"] = .bool(outcome.changed)
        if outcome.failed {
            throw RPCError.aborted("Failed to apply \(PuppetResourceName.display(type: type, name: name)): \(outcome.result)")
        }
    }

    /// `file`, `foo::bar`: what `puppet resource` accepts as a type, and nothing that looks like an option.
    static func isTypeName(_ type: String) -> Bool {
        let parts = type.components(separatedBy: "::")
        return parts.allSatisfy { part in
            guard let first = part.unicodeScalars.first, ("a"..."z").contains(first) else { return false }
            return part.unicodeScalars.allSatisfy { ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "_" }
        }
    }

    /// The request's other inputs as `key=value` words; keys must be Puppet parameter names,
    /// values scalars.
    static func properties(_ arguments: RubyHash) throws -> [String] {
        var words: [String] = []
        for pair in arguments.pairs {
            guard let key = pair.key.stringValue else { continue }
            if ["name", "type", "process_results"].contains(key) { continue }
            guard isTypeName(key), !key.contains(":") else {
                throw RPCError.invalidData("Cannot validate input \(key): not a Puppet parameter name (lower-case letters, digits and _)")
            }
            let value: String
            switch pair.value {
            case .string, .symbol: value = pair.value.stringValue ?? ""
            case .int(let number): value = String(number)
            case .float(let number): value = String(number)
            case .bool(let flag): value = String(flag)
            default: throw RPCError.invalidData("Cannot validate input \(key): value should be a string, number or boolean")
            }
            words.append("\(key)=\(value)")
        }
        return words
    }
}
