import RubyMarshal

extension RubyValue {
    /// The value as Ruby's `to_s` prints it (what `puts` and `"%s"` show): Strings and
    /// Symbols bare, nil empty, Regexps as `(?-mix:…)`, everything else as `inspect`.
    public var rubyText: String {
        switch self {
        case .string(let string): return string.text
        case .symbol(let name): return name
        case .nil: return ""
        case .regexp(let pattern, let options):
            let flags: [(UInt8, Character)] = [(4, "m"), (1, "i"), (2, "x")]
            let on = String(flags.filter { options & $0.0 != 0 }.map(\.1))
            let off = String(flags.filter { options & $0.0 == 0 }.map(\.1))
            return "(?" + on + (off.isEmpty ? "" : "-" + off) + ":" + pattern + ")"
        default: return inspect
        }
    }

    /// `length` for values that respond to it (String characters, Symbol characters, Array
    /// elements, Hash pairs), else the length of `to_s`: how MCollective's summary aggregate
    /// sizes its column.
    var rubyLength: Int {
        switch self {
        case .string(let string):
            return string.encoding == .binary ? string.bytes.count : string.text.unicodeScalars.count
        case .symbol(let name): return name.unicodeScalars.count
        case .array(let elements): return elements.count
        case .hash(let hash): return hash.count
        default: return rubyText.unicodeScalars.count
        }
    }
}
