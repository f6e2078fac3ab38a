import ChorusCore
import RubyMarshal

/// Locates the built-in DDL files from this test file's path (Tests/ChorusCoreTests → Sources/ChorusAgents/DDL).
enum DDLFixtures {
    static let directory: String = {
        var parts = #filePath.split(separator: "/", omittingEmptySubsequences: false)
        parts.removeLast(3)
        return parts.joined(separator: "/") + "/Sources/ChorusAgents/DDL"
    }()

    static func rpcutil() throws -> AgentDDL { try AgentDDL.load(contentsOf: directory + "/rpcutil.json") }
    static func discovery() throws -> AgentDDL { try AgentDDL.load(contentsOf: directory + "/discovery.json") }

    /// A small agent DDL exercising every input type.
    static let sampleJSON = """
        {
          "type": "agent",
          "metadata": {"name": "sample", "description": "Sample agent", "author": "tests", "license": "MIT",
                       "version": "0.1", "url": "https://example.invalid", "timeout": 3},
          "actions": [
            {"name": "run", "description": "Runs", "display": "ok",
             "inputs": [
               {"name": "service", "prompt": "Service", "description": "d", "type": "string",
                "validation": "shellsafe", "max_length": 10},
               {"name": "mode", "prompt": "Mode", "description": "d", "type": "list", "list": ["start", "stop"],
                "optional": true, "default": "start"},
               {"name": "count", "prompt": "Count", "description": "d", "type": "integer", "optional": true},
               {"name": "ratio", "prompt": "Ratio", "description": "d", "type": "float", "optional": true},
               {"name": "size", "prompt": "Size", "description": "d", "type": "number", "optional": true},
               {"name": "force", "prompt": "Force", "description": "d", "type": "boolean", "optional": true},
               {"name": "options", "prompt": "Options", "description": "d", "type": "hash", "optional": true},
               {"name": "names", "prompt": "Names", "description": "d", "type": "array", "optional": true},
               {"name": "anything", "prompt": "Anything", "description": "d", "type": "any", "optional": true},
               {"name": "address", "prompt": "Address", "description": "d", "type": "string",
                "validation": "ipv4address", "optional": true},
               {"name": "address6", "prompt": "Address", "description": "d", "type": "string",
                "validation": "ipv6address", "optional": true}
             ],
             "outputs": [
               {"name": "status", "description": "d", "display_as": "Status", "default": "unknown"},
               {"name": "took", "description": "d", "display_as": "Took"}
             ],
             "aggregates": [{"function": "summary", "output": "status"}, {"function": "average", "output": "took", "format": "%.1f"}]}
          ]
        }
        """

    static func sample() throws -> AgentDDL { try AgentDDL.load(json: sampleJSON) }
}
