/// How a `string` input's value is checked beyond its type: a Ruby regular expression
/// or one of MCollective's named validator plugins.
///
/// In a DDL file both are written as a string: a bare lower-case word (`shellsafe`) names a
/// validator, anything else is a regular expression (`^[\w\-\.]+$`). A bare word that names
/// no validator is a load error, which catches misspelt validator names.
public enum InputValidation: Sendable, Hashable, CustomStringConvertible {
    case pattern(RubyPattern)
    case validator(NamedValidator)

    /// Reads a DDL `validation` string.
    public init(parsing source: String) throws(InputValidationSyntaxError) {
        if Self.looksLikeValidatorName(source) {
            guard let named = NamedValidator(rawValue: source) else {
                let known = NamedValidator.allCases.map(\.rawValue).joined(separator: ", ")
                throw InputValidationSyntaxError(message: "unknown validator '\(source)' (known: \(known))")
            }
            self = .validator(named)
            return
        }
        do {
            self = .pattern(try RubyPattern(source))
        } catch {
            throw InputValidationSyntaxError(message: error.description)
        }
    }

    /// The validation as written in the DDL.
    public var source: String {
        switch self {
        case .pattern(let pattern): return pattern.source
        case .validator(let named): return named.rawValue
        }
    }

    public var description: String { source }

    /// Checks a string value; returns MCollective's message for a failure, nil when it passes.
    public func failure(for text: String) -> String? {
        switch self {
        case .pattern(let pattern):
            return pattern.matches(text) ? nil : "value should match \(pattern.source)"
        case .validator(let named):
            return named.failure(for: text)
        }
    }

    private static func looksLikeValidatorName(_ source: String) -> Bool {
        guard let first = source.unicodeScalars.first, ("a"..."z").contains(first) else { return false }
        return source.unicodeScalars.allSatisfy { ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "_" }
    }
}

/// MCollective's validator plugins that Chorus implements (mcollective/validator/*).
public enum NamedValidator: String, Sendable, Hashable, CaseIterable {
    /// No shell metacharacters: `` ` ``, `$`, `;`, `|`, `&&`, `>`, `<`.
    case shellsafe
    /// An IPv4 address, optionally with a `/prefix`.
    case ipv4address
    /// An IPv6 address, optionally with a `/prefix`.
    case ipv6address
    /// A system service name: letters, digits, `.`, `-`, `_` and `@` (PE's service agent).
    case service_name
    /// A Puppet variable or environment name (PE's puppet agent).
    case puppet_variable
    /// A Puppet server as `host` or `host:port` (PE's puppet agent).
    case puppet_server_address
    /// A comma-separated list of Puppet tags (class names, PE's puppet agent).
    case puppet_tags

    /// MCollective's failure message for `text`, or nil when it passes.
    public func failure(for text: String) -> String? {
        switch self {
        case .shellsafe:
            for token in ["`", "$", ";", "|", "&&", ">", "<"] where text.contains(token) {
                return "value should not have \(token) in it"
            }
            return nil
        case .ipv4address:
            return IPAddressSyntax.isIPv4(text) ? nil : "value should be an ipv4 address"
        case .ipv6address:
            return IPAddressSyntax.isIPv6(text) ? nil : "value should be an ipv6 address"
        case .service_name, .puppet_variable, .puppet_server_address, .puppet_tags:
            return PuppetNameSyntax.failure(for: text, validator: self)
        }
    }
}

/// A `validation` string that is neither a known validator nor a valid regular expression.
public struct InputValidationSyntaxError: Error, Sendable, Hashable, CustomStringConvertible {
    public var message: String
    public var description: String { message }
}
