import NIOCore
import STOMP
import Testing

@testable import ChorusBroker

@Suite("Unacknowledged messages and transaction state (no sockets)")
struct AckStateTests {
    private func message(_ id: String) -> BrokerMessage {
        BrokerMessage(
            destination: Destination("/queue/q")!, messageID: id, headers: STOMPHeaders(), body: ByteBuffer(string: id))
    }

    @Test("deliveries are found by tag and by message-id; client settles cumulatively, client-individual one")
    func unacked() {
        var waiting = UnackedMessages()
        for (tag, id) in [(3, "a"), (7, "b"), (8, "c"), (20, "d")] { waiting.append(DeliveryTag(UInt64(tag)), message(id)) }
        #expect(waiting.position(of: .tag(DeliveryTag(8))) == 2)
        #expect(waiting.position(of: .tag(DeliveryTag(20))) == 3)
        #expect(waiting.position(of: .tag(DeliveryTag(5))) == nil)
        #expect(waiting.position(of: .messageID("b", subscription: nil)) == 1)
        #expect(waiting.position(of: .messageID("zz", subscription: nil)) == nil)

        let one = waiting.settle(at: 2, cumulative: false)
        #expect(one.map(\.messageID) == ["c"])
        #expect(waiting.messages.map(\.messageID) == ["a", "b", "d"])
        #expect(waiting.position(of: .tag(DeliveryTag(20))) == 2)

        let through = waiting.settle(at: 1, cumulative: true)
        #expect(through.map(\.messageID) == ["a", "b"])
        #expect(waiting.count == 1)
        #expect(waiting.removeAll().map(\.messageID) == ["d"])
        #expect(waiting.isEmpty)
    }

    @Test("1.2 ack ids parse as positive integers only")
    func tags() {
        #expect(DeliveryTag(header: "42") == DeliveryTag(42))
        #expect(DeliveryTag(header: "0") == nil)
        #expect(DeliveryTag(header: "-1") == nil)
        #expect(DeliveryTag(header: "T_s1@@session@@1") == nil)
        #expect(!DeliveryTag.auto.awaitsAcknowledgement)
    }

    @Test("transactions hold frames in order without transaction and receipt headers until commit")
    func transactions() throws {
        var state = TransactionState(maxTransactions: 2, maxFramesPerTransaction: 2)
        try state.begin("t1")
        #expect(throws: TransactionError.alreadyOpen("t1")) { try state.begin("t1") }
        try state.hold(
            STOMPFrame(command: .send, headers: [("destination", "/queue/a"), ("transaction", "t1"), ("receipt", "r"), ("x", "1")]),
            in: "t1")
        try state.hold(STOMPFrame(command: .ack, headers: [("id", "5"), ("transaction", "t1")]), in: "t1")
        #expect(throws: TransactionError.tooManyFrames("t1", limit: 2)) {
            try state.hold(STOMPFrame(command: .send, headers: [("destination", "/queue/a")]), in: "t1")
        }
        #expect(throws: TransactionError.unknown("t9")) {
            try state.hold(STOMPFrame(command: .send, headers: [("destination", "/queue/a")]), in: "t9")
        }
        try state.begin("t2")
        #expect(throws: TransactionError.tooManyTransactions(limit: 2)) { try state.begin("t3") }
        #expect(state.openCount == 2)

        let frames = try state.commit("t1")
        #expect(frames.map(\.command) == [.send, .ack])
        #expect(frames[0].headers.map(\.name) == ["destination", "x"])
        #expect(!state.isOpen("t1"))
        #expect(throws: TransactionError.unknown("t1")) { _ = try state.commit("t1") }
        #expect(try state.abort("t2") == 0)
        #expect(throws: TransactionError.unknown("t2")) { try state.abort("t2") }
        try state.begin("t4")
        try state.begin("t5")
        #expect(state.abortAll() == 2)
        #expect(state.openCount == 0)
    }
}
