import NIOCore

/// The graceful close at shutdown (docs/BROKER.md, Shutdown).
extension BrokerConnectionHandler {
    /// Stops taking frames and routing to this connection, then closes it once everything
    /// already queued for the client (MESSAGE frames included) is written, or after `grace`,
    /// whichever comes first. The future tells whether the writes finished in time.
    func closeAfterWriting(within grace: TimeAmount) -> EventLoopFuture<Bool> {
        guard let context else { return router.eventLoop.makeSucceededFuture(true) }
        let wasConnected = phase == .connected
        phase = .closing
        guard wasConnected else { return close().map { true } }
        let loop = context.eventLoop
        let written = loop.makePromise(of: Bool.self)
        let settled = NIOLoopBoundBox(false, eventLoop: loop)
        let timeout = loop.scheduleTask(in: grace) {
            guard !settled.value else { return }
            settled.value = true
            written.succeed(false)
        }
        hasUnflushedWrites = false
        // An empty write completes once every write queued before it has gone out.
        context.writeAndFlush(wrapOutboundOut(ByteBuffer())).whenComplete { result in
            guard !settled.value else { return }
            settled.value = true
            timeout.cancel()
            if case .success = result { written.succeed(true) } else { written.succeed(false) }
        }
        let bound = NIOLoopBound(self, eventLoop: loop)
        return written.futureResult.flatMap { flushed in
            bound.value.close().map { flushed }
        }
    }
}
