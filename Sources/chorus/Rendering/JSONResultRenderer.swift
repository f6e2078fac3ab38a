import ChorusCore
import RubyMarshal

/// `mco rpc --json`: one JSON array of `{agent, action, sender, statuscode, statusmsg, data}`,
/// written as Ruby's `JSON.generate` does (rpc/result.rb `to_json`).
enum JSONResultRenderer {
    static func render(_ results: [RPCResult], pretty: Bool = false) -> String {
        RubyValue.array(results.map(value)).jsonString(pretty: pretty)
    }

    static func value(_ result: RPCResult) -> RubyValue {
        .hash(
            RubyHash(stringKeys: [
                "agent": .str(result.agent),
                "action": .str(result.action),
                "sender": .str(result.sender),
                "statuscode": .int(result.statusCode),
                "statusmsg": .str(result.statusMessage),
                "data": .hash(result.data),
            ]))
    }
}
