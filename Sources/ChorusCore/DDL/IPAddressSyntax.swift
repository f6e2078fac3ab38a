/// Textual IP address checks for the `ipv4address` and `ipv6address` validators.
///
/// Accepts what Ruby's `IPAddr.new` accepts for each family: an address with an optional
/// `/prefix`; IPv4 parts are decimal 0–255 without leading zeros; IPv6 may be bracketed,
/// compress zeros with one `::` and end in a dotted IPv4 address.
enum IPAddressSyntax {
    static func isIPv4(_ text: String) -> Bool {
        let (address, prefix) = splitPrefix(text)
        guard isPrefix(prefix, max: 32) else { return false }
        return isDottedQuad(address)
    }

    static func isIPv6(_ text: String) -> Bool {
        var (address, prefix) = splitPrefix(text)
        guard isPrefix(prefix, max: 128) else { return false }
        if address.hasPrefix("["), address.hasSuffix("]"), address.count >= 2 {
            address = address.dropFirst().dropLast()
        }
        return isIPv6Address(address)
    }

    private static func splitPrefix(_ text: String) -> (Substring, Substring?) {
        guard let slash = text.firstIndex(of: "/") else { return (text[...], nil) }
        return (text[..<slash], text[text.index(after: slash)...])
    }

    private static func isPrefix(_ prefix: Substring?, max: Int) -> Bool {
        guard let prefix else { return true }
        guard !prefix.isEmpty, prefix.count <= 3, prefix.allSatisfy(\.isASCIIDigit), let value = Int(prefix)
        else { return false }
        return value <= max
    }

    private static func isDottedQuad(_ text: Substring) -> Bool {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4 else { return false }
        return parts.allSatisfy { part in
            guard !part.isEmpty, part.count <= 3, part.allSatisfy(\.isASCIIDigit) else { return false }
            if part.count > 1 && part.first == "0" { return false }
            return Int(part).map { $0 <= 255 } ?? false
        }
    }

    private static func isIPv6Address(_ text: Substring) -> Bool {
        let halves = text.ranges(of: "::")
        switch halves.count {
        case 0:
            guard let groups = countGroups(text, ipv4Allowed: true) else { return false }
            return groups == 8
        case 1:
            let range = halves[0]
            let head = text[..<range.lowerBound]
            let tail = text[range.upperBound...]
            guard let headGroups = countGroups(head, ipv4Allowed: false),
                let tailGroups = countGroups(tail, ipv4Allowed: true)
            else { return false }
            return headGroups + tailGroups <= 7
        default:
            return false
        }
    }

    /// Counts the 16-bit groups in colon-separated hex groups (a trailing dotted IPv4
    /// address counts two); nil when any group is malformed. An empty text has none.
    private static func countGroups(_ text: Substring, ipv4Allowed: Bool) -> Int? {
        if text.isEmpty { return 0 }
        let pieces = text.split(separator: ":", omittingEmptySubsequences: false)
        var groups = 0
        for (index, piece) in pieces.enumerated() {
            if ipv4Allowed && index == pieces.count - 1 && piece.contains(".") {
                guard isDottedQuad(piece) else { return nil }
                groups += 2
                continue
            }
            guard !piece.isEmpty, piece.count <= 4, piece.allSatisfy(\.isASCIIHexDigit) else { return nil }
            groups += 1
        }
        return groups
    }
}

extension Character {
    fileprivate var isASCIIDigit: Bool { ("0"..."9").contains(self) }
    fileprivate var isASCIIHexDigit: Bool { isASCIIDigit || ("a"..."f").contains(self) || ("A"..."F").contains(self) }
}
