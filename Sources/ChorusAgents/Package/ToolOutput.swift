import Foundation

/// What a package tool printed, tidied for a reply: dpkg redraws its "(Reading database
/// ... 45%" counter with carriage returns, so each line keeps only what a terminal would
/// finally show (the text after its last `\r`).
public enum ToolOutput {
    public static func tidy(_ text: String) -> String {
        // By Unicode scalars: as Characters, "\r\n" is one grapheme and would not split.
        text.unicodeScalars.split(separator: "\n", omittingEmptySubsequences: false)
            .map { line in
                let shown = line.split(separator: "\r", omittingEmptySubsequences: false).last(where: { !$0.isEmpty })
                return shown.map { String(String.UnicodeScalarView($0)) } ?? ""
            }
            .joined(separator: "\n")
            .trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
