extension RubyEncoding {
    /// The encoding Ruby gives a String whose Marshal `encoding` instance variable names
    /// `name`. UTF-8 and US-ASCII are the two Marshal spells `E` (true/false), and ASCII-8BIT
    /// has no instance variable at all, so those names map to `.utf8`, `.usASCII`, `.binary`.
    init(marshalName name: String) {
        switch name.uppercased() {
        case "UTF-8": self = .utf8
        case "US-ASCII", "ASCII": self = .usASCII
        case "ASCII-8BIT", "BINARY": self = .binary
        default: self = .named(name)
        }
    }

    /// The form `Marshal.dump` writes: a `.named` UTF-8, US-ASCII or binary becomes the
    /// dedicated case.
    var canonical: RubyEncoding {
        if case .named(let name) = self { return RubyEncoding(marshalName: name) }
        return self
    }
}
