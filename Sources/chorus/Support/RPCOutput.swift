import ChorusClient
import ChorusCore
import Foundation
import Synchronization

/// Runs an RPC call for a command, showing the discovery line and the progress bar as mco does.
///
/// Unlike mco, the progress indicator is only drawn on a terminal, so piped output carries no
/// carriage returns; it then reads like mco's `--np` output.
final class RPCOutput: Sendable {
    let session: ClientSession
    let showProgress: Bool
    /// Whether to print the "Discovering hosts …" line: `mco rpc` always does, other
    /// applications (facts) only with `-v`.
    let announceDiscovery: Bool
    private let ranDiscovery = Atomic<Bool>(false)

    init(session: ClientSession, showProgress: Bool, announceDiscovery: Bool = true) {
        self.session = session
        self.showProgress = showProgress && isatty(STDOUT_FILENO) == 1
        self.announceDiscovery = announceDiscovery
    }

    var discoveryRan: Bool { ranDiscovery.load(ordering: .relaxed) }

    /// mco's discovery line up to the count, worded "for up to N second(s)" because
    /// discovery ends as soon as the answers stop, where mco always waits the whole time.
    static func discoveryAnnouncement(seconds: Int) -> String {
        "Discovering hosts using the mc method for up to \(seconds) second(s) .... "
    }

    /// What mco's rpc client says when discovery found no node (no newline after it).
    static let nothingDiscovered = "\nNo request sent, we did not discover any nodes."

    func run(_ call: RPCCall, options: RPCOptions) async throws -> RPCOutcome {
        let discovering = options.discovery == .mc && !call.filter.isIdentityOnly
        ranDiscovery.store(discovering, ordering: .relaxed)
        let quiet = session.options.json || !announceDiscovery
        if discovering && !quiet {
            let seconds = Int(options.discoveryTimeout.components.seconds)
            FileHandle.standardError.write(Data(Self.discoveryAnnouncement(seconds: seconds).utf8))
        }
        let progress = ProgressRenderer(style: session.style, width: TerminalSize.columns())
        let show = showProgress && !session.options.json
        let outcome = try await session.client.call(
            call, options: options,
            onDiscovered: { nodes in
                if discovering && !quiet { FileHandle.standardError.write(Data("\(nodes.count)\n".utf8)) }
            },
            progress: { done, total in
                if show { FileHandle.standardOutput.write(Data(progress.update(done: done, total: total).utf8)) }
            })
        if outcome.discovered.isEmpty && !session.options.json {
            // mco writes this to stderr; Chorus keeps it with the rest of the report on stdout.
            FileHandle.standardOutput.write(Data(Self.nothingDiscovered.utf8))
        }
        if show { FileHandle.standardOutput.write(Data(progress.finish(batched: (options.batchSize ?? 0) > 0).utf8)) }
        return outcome
    }
}

/// mco's exit codes (application.rb halt_code).
enum ExitStatus {
    static func code(for outcome: RPCOutcome, discoveryRan: Bool) -> Int32 {
        let responses = outcome.results.count
        let failures = outcome.results.filter { !$0.succeeded }.count
        if !discoveryRan && responses == 0 { return 4 }
        if !outcome.discovered.isEmpty {
            if responses == 0 { return 3 }
            if failures > 0 { return 2 }
            return 0
        }
        return responses > 0 ? 0 : 1
    }
}

enum TerminalSize {
    static func columns() -> Int {
        var size = winsize()
        if ioctl(STDOUT_FILENO, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 0 { return Int(size.ws_col) }
        return 80
    }
}
