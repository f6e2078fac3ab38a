/// The validators PE's service and puppet agents name in their DDLs.
///
/// Every one of them first requires a shell-safe string; then:
/// - `service_name`: letters, digits, `.`, `-`, `_` and `@` (systemd template units);
/// - `puppet_variable`: letters, digits and `_` (an environment or variable name);
/// - `puppet_server_address`: a host name or IP address, optionally `:port`; a port alone is refused;
/// - `puppet_tags`: comma-separated class names, each `::`-separated Puppet variable names.
enum PuppetNameSyntax {
    static func failure(for text: String, validator: NamedValidator) -> String? {
        if let unsafe = NamedValidator.shellsafe.failure(for: text) { return unsafe }
        switch validator {
        case .service_name:
            return !text.isEmpty && text.unicodeScalars.allSatisfy(isServiceNameCharacter)
                ? nil : "\(text) is not a valid service name"
        case .puppet_variable:
            return isVariableName(text[...]) ? nil : "\(text) is not a valid Puppet variable name"
        case .puppet_server_address:
            return isServerAddress(text) ? nil : "\(text) is not a valid Puppet server address (host or host:port)"
        case .puppet_tags:
            let tags = text.split(separator: ",", omittingEmptySubsequences: false)
            for tag in tags where !isClassName(tag) {
                return "\(tag) is not a valid Puppet tag (tags are class names such as apache or mysql::server)"
            }
            return nil
        default:
            return nil
        }
    }

    private static func isServiceNameCharacter(_ scalar: Unicode.Scalar) -> Bool {
        isAlphanumeric(scalar) || ".-_@".unicodeScalars.contains(scalar)
    }

    private static func isAlphanumeric(_ scalar: Unicode.Scalar) -> Bool {
        ("a"..."z").contains(scalar) || ("A"..."Z").contains(scalar) || ("0"..."9").contains(scalar)
    }

    static func isVariableName(_ text: Substring) -> Bool {
        !text.isEmpty && text.unicodeScalars.allSatisfy { isAlphanumeric($0) || $0 == "_" }
    }

    static func isClassName(_ text: Substring) -> Bool {
        var name = text.drop { $0 == " " }
        while name.last == " " { name = name.dropLast() }
        if name.hasPrefix("::") { name = name.dropFirst(2) }
        var parts: [Substring] = []
        var rest = name
        while let range = rest.firstRange(of: "::") {
            parts.append(rest[..<range.lowerBound])
            rest = rest[range.upperBound...]
        }
        parts.append(rest)
        return parts.allSatisfy(isVariableName)
    }

    static func isServerAddress(_ text: String) -> Bool {
        var host = text[...]
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]") else { return false }
            let inside = text[text.index(after: text.startIndex)..<close]
            let rest = text[text.index(after: close)...]
            return IPAddressSyntax.isIPv6(String(inside)) && (rest.isEmpty || isPort(rest))
        }
        if let colon = text.lastIndex(of: ":") {
            if IPAddressSyntax.isIPv6(text) { return true }
            host = text[..<colon]
            guard isPort(text[colon...]) else { return false }
        }
        return isHostName(host) || IPAddressSyntax.isIPv4(String(host))
    }

    private static func isPort(_ text: Substring) -> Bool {
        let digits = text.dropFirst()
        guard text.first == ":", !digits.isEmpty, digits.count <= 5, let port = Int(digits) else { return false }
        return (1...65535).contains(port)
    }

    private static func isHostName(_ host: Substring) -> Bool {
        guard !host.isEmpty, host.count <= 253 else { return false }
        return host.split(separator: ".", omittingEmptySubsequences: false).allSatisfy { label in
            !label.isEmpty && label.count <= 63 && label.first != "-" && label.last != "-"
                && label.unicodeScalars.allSatisfy { isAlphanumeric($0) || $0 == "-" }
        }
    }
}
