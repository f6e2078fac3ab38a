extension ListenAddress {
    /// The usual port of the statistics endpoint.
    public static let defaultStatsPort = 61680

    /// Parses a `stats.listen` value (or `--stats-listen`): `HOST:PORT`, `[IPv6]:PORT`, an
    /// optional `http://` in front, or a port alone, which means `127.0.0.1:PORT`. Nil when
    /// malformed or when it names another scheme (the endpoint speaks plain HTTP only).
    public init?(parsingStatsListen text: String) {
        var value = Substring(text.trimmingCharacters(in: .whitespaces))
        if value.lowercased().hasPrefix("http://") { value = value.dropFirst(7) }
        if value.hasSuffix("/") { value = value.dropLast() }
        if !value.isEmpty, value.allSatisfy(\.isASCII), value.allSatisfy(\.isNumber) {
            value = "127.0.0.1:" + value
        }
        guard !value.contains("://"), let address = ListenAddress(parsing: String(value)) else { return nil }
        self = address
    }
}
