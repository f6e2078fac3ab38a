import STOMP

/// ACK and NACK (docs/BROKER.md, Acknowledgements): which message a frame names, settling it
/// in the routing core, or holding it in its transaction.
extension BrokerConnectionHandler {
    /// The SUBSCRIBE's `ack` header (absent = `auto`); nil after sending an ERROR.
    func ackMode(of frame: STOMPFrame) -> AckMode? {
        guard let value = frame.headers["ack"] else { return .auto }
        guard let mode = AckMode(rawValue: value) else {
            protocolError(
                "Invalid ack mode", detail: "The ack header must be auto, client or client-individual, not '\(value)'.",
                frame: frame)
            return nil
        }
        return mode
    }

    /// ACK or NACK: settles at once, or with a `transaction` header holds the frame until COMMIT
    /// (the message it names must be waiting now). A frame naming no waiting message is an ERROR,
    /// as on RabbitMQ and ActiveMQ.
    func acknowledgement(_ frame: STOMPFrame) {
        if frame.command == .nack, version == .v1_0 {
            protocolError(
                "NACK requires STOMP 1.1", detail: "STOMP 1.0 has no NACK; connect with accept-version 1.1 or 1.2.",
                frame: frame)
            return
        }
        guard let reference = ackReference(of: frame) else { return }
        if let transaction = frame.headers["transaction"] {
            guard router.core.isUnacknowledged(reference, connection: id) else {
                unknownMessage(reference.description, frame: frame)
                return
            }
            hold(frame, in: transaction)
            return
        }
        guard settle(frame, reference: reference) else {
            unknownMessage(reference.description, frame: frame)
            return
        }
        receipt(for: frame)
    }

    /// Applies an ACK or NACK a transaction held, at its COMMIT. One whose message was settled
    /// meanwhile (by an earlier cumulative ACK, say) is skipped.
    func applyCommitted(acknowledgement frame: STOMPFrame) {
        guard let reference = ackReference(of: frame) else { return }
        if !settle(frame, reference: reference) {
            logger.debug("client \(id): committed \(frame.command.rawValue) of \(reference) skipped: already settled")
        }
    }

    /// Settles what `reference` names; `false` when nothing waits under it. A NACK requeues
    /// unless it says `requeue:false` (RabbitMQ's header).
    private func settle(_ frame: STOMPFrame, reference: AckReference) -> Bool {
        if frame.command == .nack {
            let requeue = frame.headers["requeue"]?.lowercased() != "false"
            return router.reject(reference, connection: id, requeue: requeue) != nil
        }
        return router.acknowledge(reference, connection: id) != nil
    }

    /// The message an ACK or NACK names: STOMP 1.2 by `id` (the MESSAGE's `ack`), 1.0 and 1.1 by
    /// `message-id` (and `subscription` when given). Nil after sending an ERROR.
    private func ackReference(of frame: STOMPFrame) -> AckReference? {
        let command = frame.command.rawValue
        if version == .v1_2 {
            guard let value = frame.headers["id"] else {
                protocolError(
                    "Missing id", detail: "\(command) must include the 'id' header: the 'ack' header of the MESSAGE.",
                    frame: frame)
                return nil
            }
            guard let tag = DeliveryTag(header: value) else {
                unknownMessage("id '\(value)'", frame: frame)
                return nil
            }
            return .tag(tag)
        }
        guard let messageID = frame.headers["message-id"] else {
            protocolError(
                "Missing message-id", detail: "\(command) must include the 'message-id' header of the MESSAGE.",
                frame: frame)
            return nil
        }
        return .messageID(messageID, subscription: frame.headers["subscription"])
    }

    private func unknownMessage(_ reference: String, frame: STOMPFrame) {
        protocolError(
            "Message not found",
            detail: "\(frame.command.rawValue) of \(reference): no message waits for an acknowledgement under it on this connection (never delivered here, already acknowledged, or from an auto-acknowledged subscription).",
            frame: frame)
    }
}
