/// mco's progress indicator (rpc/progress.rb), redrawn in place with `\r` as replies arrive.
///
/// Without a terminal (or one narrower than 23 columns) it is the plain `\r3 / 10`; on a
/// terminal a bar `\r | [ =====>     ] 3 / 10` as wide as the terminal allows (at most 60),
/// with a red twirl while waiting and a green `*` when complete. mco advances the twirl on
/// every redraw, i.e. once per reply, so the twirl here is chosen by the reply count.
struct ProgressRenderer: Sendable {
    private static let twirl: [Character] = ["|", "/", "-", "\\", "|", "/", "-", "\\"]

    let style: TerminalStyle
    /// Characters between the brackets; 0 for the plain counter.
    let barSize: Int

    /// - Parameter width: the terminal's columns, or nil when output is not a terminal.
    init(style: TerminalStyle, width: Int?) {
        self.style = style
        let columns = (width ?? 0) - 22
        barSize = columns <= 0 ? 0 : min(columns, 60)
    }

    /// What mco prints before the first redraw: a newline, then the empty indicator.
    func start(total: Int) -> String { "\n" + render(done: 0, total: total) }

    /// What to print when the client reports `done` of `total` replies: `start` for the
    /// report before any reply (done 0), a redraw after that.
    func update(done: Int, total: Int) -> String {
        done == 0 ? start(total: total) : render(done: done, total: total)
    }

    /// The indicator for `done` of `total` replies, starting with `\r`.
    func render(done: Int, total: Int) -> String {
        guard barSize > 0, total > 0 else { return "\r\(done) / \(total)" }
        let mark = done == total ? style.green("*") : style.red(String(Self.twirl[abs(done) % Self.twirl.count]))
        let fraction = Double(done) / Double(total)
        let filled = max(0, min(barSize, Int((fraction * Double(barSize)).rounded())))
        return "\r \(mark) [ " + String(repeating: "=", count: filled) + ">"
            + String(repeating: " ", count: barSize - filled) + " ] \(done) / \(total)"
    }

    /// What mco prints once the replies are in: the end of the indicator's line and a blank
    /// line; in batches (`--batch`) only the end of the line.
    func finish(batched: Bool = false) -> String { batched ? "\n" : "\n\n" }
}
