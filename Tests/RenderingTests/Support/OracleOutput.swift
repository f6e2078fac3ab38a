import Foundation
import Testing

/// A reference output of the real `mco` (Tests/Fixtures/cli_outputs/NAME.txt, copied from
/// the oracle run of MCollective 2.12.5): the `$ mco …` line, stdout and stderr interleaved
/// with colour codes and `\r` kept, then bash's `time` report and `[exit=N]`.
///
/// The cuts here leave only what a renderer prints, so a test can compare byte for byte.
struct OracleOutput {
    let name: String
    /// The file as captured.
    let raw: String

    /// Tests/Fixtures/cli_outputs, found from this file's path (Tests/RenderingTests/Support).
    static let directory: String = {
        var parts = #filePath.split(separator: "/", omittingEmptySubsequences: false)
        parts.removeLast(3)
        return parts.joined(separator: "/") + "/Fixtures/cli_outputs"
    }()

    init(_ name: String) throws {
        self.name = name
        raw = try String(contentsOfFile: Self.directory + "/\(name).txt", encoding: .utf8)
    }

    /// What the command printed: without the `$ mco …` line, the `time` report (which starts
    /// with a blank line of its own) and `[exit=N]`. Works on bytes: a terminal's `\r\n` is
    /// one Character to Swift but two bytes here.
    var printed: String {
        var bytes = Array(raw.utf8)
        if let newline = bytes.firstIndex(of: UInt8(ascii: "\n")) { bytes.removeSubrange(...newline) }
        if let timing = Self.lastRange(of: Array("\nreal\t".utf8), in: bytes) { bytes.removeSubrange(timing.lowerBound...) }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// The exit status mco ended with, when the capture recorded one.
    var exitCode: Int? {
        let bytes = Array(raw.utf8)
        guard let start = Self.lastRange(of: Array("[exit=".utf8), in: bytes),
            let end = bytes[start.upperBound...].firstIndex(of: UInt8(ascii: "]"))
        else { return nil }
        return Int(String(decoding: bytes[start.upperBound..<end], as: UTF8.self))
    }

    /// `printed` without the pieces other code prints: from each occurrence of a marker to the
    /// end of its line, line break included (the discovery line, log warnings, Ruby warnings).
    func printed(removing markers: [String]) -> String {
        var bytes = Array(printed.utf8)
        for marker in markers {
            let needle = Array(marker.utf8)
            while let found = Self.firstRange(of: needle, in: bytes) {
                let end = bytes[found.lowerBound...].firstIndex(of: UInt8(ascii: "\n")).map { $0 + 1 } ?? bytes.endIndex
                bytes.removeSubrange(found.lowerBound..<end)
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    private static func firstRange(of needle: [UInt8], in bytes: [UInt8]) -> Range<Int>? {
        guard !needle.isEmpty, bytes.count >= needle.count else { return nil }
        for start in 0...(bytes.count - needle.count) where bytes[start..<(start + needle.count)].elementsEqual(needle) {
            return start..<(start + needle.count)
        }
        return nil
    }

    private static func lastRange(of needle: [UInt8], in bytes: [UInt8]) -> Range<Int>? {
        guard !needle.isEmpty, bytes.count >= needle.count else { return nil }
        for start in stride(from: bytes.count - needle.count, through: 0, by: -1)
        where bytes[start..<(start + needle.count)].elementsEqual(needle) {
            return start..<(start + needle.count)
        }
        return nil
    }

    /// The line mco's rpc client writes to stderr while discovering.
    static let discoveryLine = "Discovering hosts using the mc method"
    /// A log line at warn level, as MCollective's console logger colours it.
    static let warning = "\u{1B}[33mwarn\u{1B}[0m "
    /// Ruby 3.1's deprecation warnings that MCollective's ERB templates trigger.
    static let rubyWarning = "/usr/lib/ruby/"
}

/// Records an issue unless `actual` and `expected` are the same bytes; the message shows the
/// first line that differs with control characters made visible.
func expectSameBytes(
    _ actual: String, _ expected: String, _ what: String, sourceLocation: SourceLocation = #_sourceLocation
) {
    guard !Array(actual.utf8).elementsEqual(expected.utf8) else { return }
    let newline = UInt8(ascii: "\n")
    let actualLines = Array(actual.utf8).split(separator: newline, omittingEmptySubsequences: false)
    let expectedLines = Array(expected.utf8).split(separator: newline, omittingEmptySubsequences: false)
    var line = 0
    while line < min(actualLines.count, expectedLines.count), actualLines[line].elementsEqual(expectedLines[line]) {
        line += 1
    }
    func visible(_ lines: [ArraySlice<UInt8>]) -> String {
        line < lines.count ? visibleControls(String(decoding: lines[line], as: UTF8.self)) : "<end of text>"
    }
    Issue.record(
        """
        \(what) differs from mco at line \(line + 1):
          mco:    \(visible(expectedLines))
          chorus: \(visible(actualLines))
        """,
        sourceLocation: sourceLocation)
}

/// `\r`, ESC and other control characters spelled out, the way `cat -A` helps to read them.
func visibleControls(_ text: String) -> String {
    var out = ""
    for scalar in text.unicodeScalars {
        switch scalar {
        case "\r": out += "\\r"
        case "\u{1B}": out += "\\e"
        case "\t": out += "\\t"
        default:
            if scalar.value < 0x20 {
                out += "\\u{\(String(scalar.value, radix: 16))}"
            } else {
                out.unicodeScalars.append(scalar)
            }
        }
    }
    return out + "$"
}
