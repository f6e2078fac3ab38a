/// Small helpers for the filter scanners, which work on Unicode scalars as Ruby's
/// `String#split("")` does.
enum FilterScalars {
    static func string(_ scalars: ArraySlice<Unicode.Scalar>) -> String {
        var view = String.UnicodeScalarView()
        view.append(contentsOf: scalars)
        return String(view)
    }

    static func string(_ scalars: [Unicode.Scalar]) -> String { string(scalars[...]) }

    static func has(_ s: [Unicode.Scalar], prefix: [Unicode.Scalar], at index: Int) -> Bool {
        guard index >= 0, index + prefix.count <= s.count else { return false }
        for offset in 0..<prefix.count where s[index + offset] != prefix[offset] { return false }
        return true
    }

    static func isComparison(_ c: Unicode.Scalar) -> Bool { c == "=" || c == "<" || c == ">" }

    /// Ruby's `\s`: space, tab, newline, vertical tab, form feed, carriage return.
    static func isSpace(_ c: Unicode.Scalar) -> Bool {
        c == " " || c == "\t" || c == "\n" || c == "\u{0B}" || c == "\u{0C}" || c == "\r"
    }
}
