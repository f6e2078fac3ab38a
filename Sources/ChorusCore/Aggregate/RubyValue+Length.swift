import RubyMarshal

extension RubyValue {
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
