import NIOCore
import STOMP

@testable import ChorusBroker

/// Helpers for the acknowledgement, transaction, limit and shutdown suites.
extension TestClient {
    /// Connects with STOMP `version` and returns the client once CONNECTED arrived.
    static func connected(to address: SocketAddress, version: String) async throws -> TestClient {
        let (client, reply) = try await connected(to: address, headers: [("accept-version", version)])
        guard reply.command == .connected else {
            throw TestTimeout(what: "CONNECTED, got \(reply.command) \(reply.headers["message"] ?? "")")
        }
        return client
    }

    /// Writes `command` with `headers` plus a `receipt`, and returns the answer: the RECEIPT, or
    /// the ERROR (frames arriving before it, such as MESSAGEs, are returned in `before`).
    @discardableResult
    func request(
        _ command: STOMPCommand, _ headers: [(String, String)], body: String = "", receipt: String = "r",
        timeout: Duration = .seconds(5)
    ) async throws -> (answer: STOMPFrame, before: [STOMPFrame]) {
        try await write(STOMPFrame(command: command, headers: headers + [("receipt", receipt)], body: Array(body.utf8)))
        var before: [STOMPFrame] = []
        while true {
            let frame = try await nextFrame(timeout: timeout)
            if frame.command == .error || (frame.command == .receipt && frame.headers["receipt-id"] == receipt) {
                return (frame, before)
            }
            before.append(frame)
        }
    }

    /// SUBSCRIBE with an `ack` mode, waiting for its RECEIPT. Returns the MESSAGEs written
    /// before it: buffered queue messages are delivered as the subscription starts.
    @discardableResult
    func subscribe(_ destination: String, id: String, ack: String, extra: [(String, String)] = []) async throws -> [STOMPFrame] {
        let (answer, before) = try await request(.subscribe, [("destination", destination), ("id", id), ("ack", ack)] + extra)
        guard answer.command == .receipt else { throw TestTimeout(what: "RECEIPT for SUBSCRIBE, got \(answer.headers["message"] ?? "")") }
        return before
    }

    /// The next `count` frames, which must all be MESSAGEs.
    func messages(_ count: Int) async throws -> [STOMPFrame] {
        var messages: [STOMPFrame] = []
        for _ in 0..<count {
            let frame = try await nextFrame()
            guard frame.command == .message else { throw TestTimeout(what: "a MESSAGE, got \(frame.command) \(frame.headers["message"] ?? "")") }
            messages.append(frame)
        }
        return messages
    }
}

extension STOMPFrame {
    /// The body as text.
    var text: String { String(buffer: body) }
}
