/// The line and word handling shared by the policy and groups parsers.
enum PolicyText {
    /// The file's lines; `\n` and `\r\n` both end a line.
    static func lines(_ text: String) -> [Substring] {
        text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" })
    }

    static func isBlank(_ c: Character) -> Bool { c == " " || c == "\t" || c == "\r" }

    /// `text` without leading and trailing spaces, TABs and carriage returns.
    static func trimmed(_ text: Substring) -> Substring {
        guard let first = text.firstIndex(where: { !isBlank($0) }),
            let last = text.lastIndex(where: { !isBlank($0) })
        else { return text[text.endIndex...] }
        return text[first...last]
    }

    /// Space- or TAB-separated words.
    static func words(_ text: Substring) -> [String] {
        text.split(whereSeparator: isBlank).map(String.init)
    }

    /// A line shortened for an error message.
    static func excerpt(_ text: Substring, limit: Int = 60) -> String {
        text.count <= limit ? String(text) : String(text.prefix(limit)) + "…"
    }

    /// Ruby's `\w` plus `.` and `-`: the names the groups file allows (`^[\w.\-]+$`).
    static func isGroupName(_ text: some StringProtocol) -> Bool {
        !text.isEmpty
            && text.unicodeScalars.allSatisfy {
                ($0 >= "a" && $0 <= "z") || ($0 >= "A" && $0 <= "Z") || ($0 >= "0" && $0 <= "9")
                    || $0 == "_" || $0 == "." || $0 == "-"
            }
    }
}
