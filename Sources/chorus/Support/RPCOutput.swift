import ChorusClient
import ChorusCore
import Foundation
import Synchronization

/// Runs an RPC call for a command, showing the discovery line and the progress bar as mco does.
final class RPCOutput: Sendable {
    let session: ClientSession
    let showProgress: Bool
    private let ranDiscovery = Atomic<Bool>(false)

    init(session: ClientSession, showProgress: Bool) {
        self.session = session
        self.showProgress = showProgress && isatty(STDOUT_FILENO) == 1
    }

    var discoveryRan: Bool { ranDiscovery.load(ordering: .relaxed) }

    func run(_ call: RPCCall, options: RPCOptions) async throws -> RPCOutcome {
        let discovering = options.discovery == .mc && !call.filter.isIdentityOnly
        ranDiscovery.store(discovering, ordering: .relaxed)
        let quiet = session.options.json
        if discovering && !quiet {
            let seconds = Int(options.discoveryTimeout.components.seconds)
            FileHandle.standardError.write(Data("Discovering hosts using the mc method for up to \(seconds) second(s) .... ".utf8))
        }
        let progress = ProgressRenderer(style: session.style, width: TerminalSize.columns())
        let show = showProgress && !quiet
        let outcome = try await session.client.call(
            call, options: options,
            onDiscovered: { nodes in
                if discovering && !quiet { FileHandle.standardError.write(Data("\(nodes.count)\n".utf8)) }
            },
            progress: { done, total in
                guard show else { return }
                let text = done == 0 ? progress.start(total: total) : progress.render(done: done, total: total)
                FileHandle.standardOutput.write(Data(text.utf8))
            })
        if show && !outcome.discovered.isEmpty { FileHandle.standardOutput.write(Data(progress.finish().utf8)) }
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
