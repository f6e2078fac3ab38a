import ChorusClient
import Foundation
import RubyMarshal

/// `mco ping` output (application/ping.rb).
enum PingRenderer {
    /// One answer: `"%-40s time=%.2f ms"` (no newline).
    static func line(_ reply: PingReply, style: TerminalStyle) -> String {
        TextLayout.padRight(reply.sender, 40) + " time=" + TextLayout.fixed(reply.milliseconds, digits: 2) + " ms"
    }

    /// The closing block: two blank lines, the heading, and "N replies max: … min: … avg: … "
    /// (mco's trailing space kept) or "No responses received"; ends with a newline.
    static func statistics(_ replies: [PingReply], style: TerminalStyle) -> String {
        var text = "\n\n---- ping statistics ----\n"
        let times = replies.map(\.milliseconds)
        guard let max = times.max(), let min = times.min() else { return text + "No responses received\n" }
        let average = times.reduce(0, +) / Double(times.count)
        text += "\(times.count) replies max: \(TextLayout.fixed(max, digits: 2)) min: \(TextLayout.fixed(min, digits: 2)) "
            + "avg: \(TextLayout.fixed(average, digits: 2)) \n"
        return text
    }

    /// Chorus's `ping --json`: `[{"sender":"node1","time":13.58}, …]` (times in milliseconds).
    static func json(_ replies: [PingReply]) -> String {
        RubyValue.array(
            replies.map {
                .hash(RubyHash(stringKeys: ["sender": .str($0.sender), "time": .float(($0.milliseconds * 100).rounded() / 100)]))
            }
        ).jsonString()
    }
}
