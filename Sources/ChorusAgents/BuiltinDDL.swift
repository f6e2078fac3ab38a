import ChorusCore

/// The built-in agents' DDLs. The JSON files in `DDL/` are compiled into the binary
/// (SwiftPM `embedInCode`), so a copied `chorus` binary needs no resource bundle.
public enum BuiltinDDL {
    /// The names of the agents whose DDL is built in.
    public static let names = ["discovery", "package", "puppet", "puppetral", "rpcutil", "service"]

    /// The built-in DDL of `agent`, nil when there is none.
    public static func named(_ agent: String) throws -> AgentDDL? {
        guard let bytes = bytes(of: agent) else { return nil }
        return try AgentDDL.load(bytes: bytes, file: "<built-in \(agent) DDL>")
    }

    public static func rpcutil() throws -> AgentDDL { try named("rpcutil")! }

    public static func discovery() throws -> AgentDDL { try named("discovery")! }

    private static func bytes(of agent: String) -> [UInt8]? {
        switch agent {
        case "rpcutil": return PackageResources.rpcutil_json
        case "discovery": return PackageResources.discovery_json
        case "package": return PackageResources.package_json
        case "service": return PackageResources.service_json
        case "puppet": return PackageResources.puppet_json
        case "puppetral": return PackageResources.puppetral_json
        default: return nil
        }
    }
}
