import ChorusClient
import ChorusCore

extension RPCStats {
    /// The statistics of a finished call.
    init(outcome: RPCOutcome) {
        let ok = outcome.results.reduce(0) { $0 + ($1.succeeded ? 1 : 0) }
        self.init(
            discovered: outcome.discovered, responded: outcome.results.map(\.sender), okCount: ok,
            failCount: outcome.results.count - ok, requestID: outcome.requestID, startTime: outcome.startTime,
            discoveryTime: outcome.discoveryTime, blockTime: outcome.blockTime, totalTime: outcome.totalTime,
            unexpectedResponses: outcome.unexpected)
    }
}
