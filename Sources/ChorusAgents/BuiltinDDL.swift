import ChorusCore

/// The built-in agents' DDLs. The JSON files in `DDL/` are compiled into the binary
/// (SwiftPM `embedInCode`), so a copied `chorus` binary needs no resource bundle.
public enum BuiltinDDL {
    public static func rpcutil() throws -> AgentDDL {
        try AgentDDL.load(json: String(decoding: PackageResources.rpcutil_json, as: UTF8.self))
    }

    public static func discovery() throws -> AgentDDL {
        try AgentDDL.load(json: String(decoding: PackageResources.discovery_json, as: UTF8.self))
    }
}
