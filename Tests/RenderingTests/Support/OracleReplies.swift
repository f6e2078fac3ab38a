import ChorusCore
import Foundation
import RubyMarshal

@testable import ChorusClient

/// The replies of the oracle run, as the client received them.
///
/// Where the oracle captured the reply frame of the very run whose output is compared
/// (Tests/Fixtures/frames/rabbitmq_psk), the reply is decoded from that frame, so the data
/// keeps the node's key order, key types and string encodings. Otherwise it is built from
/// the output: same senders in the same order, same data.
enum OracleReplies {
    static let framesDirectory: String = {
        var parts = #filePath.split(separator: "/", omittingEmptySubsequences: false)
        parts.removeLast(3)
        return parts.joined(separator: "/") + "/Fixtures/frames/rabbitmq_psk"
    }()

    struct FrameError: Error, CustomStringConvertible {
        var description: String
    }

    /// The reply carried by a captured STOMP frame (`NN_name.frame`): the MCollective envelope
    /// is Marshal, its `:body` a Marshal string holding statuscode, statusmsg and data.
    static func captured(_ frame: String, action: String) throws -> RPCResult {
        let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: "\(framesDirectory)/\(frame).frame")))
        guard let blank = bytes.indices.first(where: { bytes[$0] == 10 && $0 + 1 < bytes.count && bytes[$0 + 1] == 10 }) else {
            throw FrameError(description: "\(frame): no blank line after the headers")
        }
        let headers = String(decoding: bytes[..<blank], as: UTF8.self).split(separator: "\n")
        guard let lengthLine = headers.first(where: { $0.hasPrefix("content-length:") }),
            let length = Int(lengthLine.dropFirst("content-length:".count)), blank + 2 + length <= bytes.count
        else { throw FrameError(description: "\(frame): no usable content-length") }
        let envelope = try RubyMarshal.decode(bytes[(blank + 2)..<(blank + 2 + length)])
        guard let sender = envelope["senderid"]?.stringValue, let agent = envelope["senderagent"]?.stringValue,
            let inner = envelope["body"]?.bytesValue
        else { throw FrameError(description: "\(frame): not an MCollective reply envelope") }
        let body = try RubyMarshal.decode(inner)
        guard let code = body["statuscode"]?.intValue, let message = body["statusmsg"]?.stringValue,
            let data = body["data"]?.asHash
        else { throw FrameError(description: "\(frame): not an RPC reply body") }
        return RPCResult(sender: sender, agent: agent, action: action, statusCode: code, statusMessage: message, data: data)
    }

    /// A successful rpcutil reply.
    static func ok(_ sender: String, _ action: String, _ data: RubyHash) -> RPCResult {
        RPCResult(sender: sender, agent: "rpcutil", action: action, statusCode: 0, statusMessage: "OK", data: data)
    }

    /// rpcutil ping's answer.
    static func pong(_ sender: String, _ time: Int) -> RPCResult {
        ok(sender, "ping", RubyHash(symbolKeys: ["pong": .int(time)]))
    }

    /// rpcutil get_fact's answer.
    static func fact(_ sender: String, _ fact: String, _ value: String) -> RPCResult {
        ok(sender, "get_fact", RubyHash(symbolKeys: ["fact": .str(fact), "value": .str(value)]))
    }

    /// A duration given in milliseconds with mco's two decimals.
    static func milliseconds(_ value: Double) -> Duration {
        .microseconds(Int64((value * 1000).rounded()))
    }

    /// A finished call as the client library reports it.
    static func outcome(
        discovered: [String], results: [RPCResult], startTime: Double = 0, discovery: Double = 0, block: Double,
        total: Double = 0
    ) -> RPCOutcome {
        RPCOutcome(
            requestID: "", discovered: discovered, results: results, unexpected: [], startTime: startTime,
            discoveryTime: milliseconds(discovery), blockTime: milliseconds(block), totalTime: milliseconds(total))
    }

    /// The oracle's three nodes, in the order its discovery listed them.
    static let nodes = ["node1", "node2", "node3"]
}
