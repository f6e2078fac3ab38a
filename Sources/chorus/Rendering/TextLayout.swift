import Foundation

/// Small text helpers shared by the renderers, mirroring the Ruby idioms mco's output uses.
enum TextLayout {
    /// Ruby's `"%-<width>s"`: left-aligned, padded with spaces, never truncated.
    static func padRight(_ text: String, _ width: Int) -> String {
        let count = text.unicodeScalars.count
        return count >= width ? text : text + spaces(width - count)
    }

    /// Ruby's `"%<width>s"`: right-aligned.
    static func padLeft(_ text: String, _ width: Int) -> String {
        let count = text.unicodeScalars.count
        return count >= width ? text : spaces(width - count) + text
    }

    /// `count` spaces, written as bytes (`String(repeating:count:)` builds them one Character at a time).
    static func spaces(_ count: Int) -> String {
        String(unsafeUninitializedCapacity: max(0, count)) { buffer in
            buffer.initialize(repeating: UInt8(ascii: " "))
            return buffer.count
        }
    }

    /// Ruby's `"%.<digits>f"`.
    static func fixed(_ value: Double, digits: Int) -> String {
        FixedPoint.format(value, digits: digits) ?? String(format: "%.\(digits)f", value)
    }

    /// Milliseconds in a Duration, as a Double.
    static func milliseconds(_ duration: Duration) -> Double {
        let parts = duration.components
        return Double(parts.seconds) * 1000 + Double(parts.attoseconds) / 1e15
    }

    /// Ruby's `String#split("\n")`: pieces between newlines, trailing empty pieces dropped.
    static func rubyLines(_ text: String) -> [Substring] {
        var pieces = text.split(separator: "\n", omittingEmptySubsequences: false)
        while let last = pieces.last, last.isEmpty { pieces.removeLast() }
        return pieces
    }

    /// MCollective's `Util.field_size`: the longest element, at least `minimum`.
    static func fieldSize(_ elements: [String], minimum: Int) -> Int {
        max(elements.map(\.unicodeScalars.count).max() ?? 0, minimum)
    }

    /// MCollective's `Util.field_number`: how many fields of that size fit in `maximum` columns.
    static func fieldNumber(_ fieldSize: Int, maximum: Int = 90) -> Int {
        max(1, maximum / max(1, fieldSize))
    }

    /// Rows of `columns` items (Rails' `in_groups_of`, the last row padded with `filler`).
    static func groups(_ items: [String], of columns: Int, filler: String = "") -> [[String]] {
        stride(from: 0, to: items.count, by: columns).map { start in
            var row = Array(items[start..<min(start + columns, items.count)])
            while row.count < columns { row.append(filler) }
            return row
        }
    }

    /// Identities in columns, as mco's "No response from:" block lays them out:
    /// `"   " + " %-<size>s" * n` per row, sorted.
    static func identityColumns(_ identities: [String]) -> String {
        let size = fieldSize(identities, minimum: 30)
        let columns = fieldNumber(size)
        var text = ""
        for row in groups(identities.sorted(), of: columns) {
            text += "   " + row.map { " " + padRight($0, size) }.joined() + "\n"
        }
        return text
    }
}
