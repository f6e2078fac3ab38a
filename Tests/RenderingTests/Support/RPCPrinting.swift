import ChorusClient
import ChorusCore
import Foundation
import Testing

@testable import chorus

/// What `chorus rpc` writes to stdout once discovery is done, put together from the same
/// pieces the command uses: the progress indicator as `RPCOutput` drives it (one update per
/// reply count the client reports, from 0, then `finish`), then `RPCResultRenderer`.
enum RPCPrinting {
    static let colour = TerminalStyle(colour: true)
    /// The oracle machine's clock ran in UTC.
    static let utc = TimeZone(identifier: "UTC")!

    static func rpcutil() throws -> AgentDDL { try DDLCatalog(libdirs: []).agent("rpcutil") }

    /// - Parameters:
    ///   - progressWidth: the terminal's columns; nil for mco's plain counter (no terminal).
    ///   - showProgress: false for `--np`.
    ///   - batched: true for `--batch`.
    static func printed(
        _ action: String, _ outcome: RPCOutcome, verbose: Bool = false, progressWidth: Int? = nil,
        showProgress: Bool = true, batched: Bool = false
    ) throws -> String {
        let ddl = try rpcutil()
        let actionDDL = try #require(ddl.action(named: action))
        var renderer = RPCResultRenderer(style: colour, ddl: ddl, action: actionDDL, verbose: verbose)
        renderer.timeZone = utc
        var text = ""
        if showProgress {
            let progress = ProgressRenderer(style: colour, width: progressWidth)
            for done in 0...outcome.results.count { text += progress.update(done: done, total: outcome.discovered.count) }
            text += progress.finish(batched: batched)
        }
        return text + renderer.render(outcome: outcome)
    }

    /// A terminal's output translation (`onlcr`): every `\n` arrives as `\r\n`.
    static func throughTerminal(_ text: String) -> String {
        var bytes: [UInt8] = []
        for byte in text.utf8 {
            if byte == UInt8(ascii: "\n") { bytes.append(UInt8(ascii: "\r")) }
            bytes.append(byte)
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
