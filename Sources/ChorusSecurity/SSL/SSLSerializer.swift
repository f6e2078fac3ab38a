import RubyMarshal

/// How the ssl plugin serialises its envelopes and bodies (`plugin.ssl_serializer`, ssl.rb
/// `serialize`/`deserialize`): Ruby Marshal by default, YAML when set to `yaml`.
public enum SSLSerializer: String, Sendable {
    case marshal
    case yaml

    /// `yaml` selects YAML; anything else, or nothing, Marshal (as ssl.rb decides).
    public init(configurationValue: String?) {
        self = configurationValue?.lowercased() == "yaml" ? .yaml : .marshal
    }

    func encode(_ value: RubyValue) throws(SecurityError) -> [UInt8] {
        switch self {
        case .marshal:
            return RubyMarshal.encode(value)
        case .yaml:
            do {
                return try RubyYAML.dump(value)
            } catch {
                throw .malformed("cannot write YAML: \(error)")
            }
        }
    }

    /// Reads `bytes`; `part` names what they are in the error (`envelope`, `body`). YAML longer
    /// than `maxYAMLBytes` is refused before parsing.
    func decode(_ bytes: [UInt8], limits: MarshalLimits, maxYAMLBytes: Int = RubyYAML.defaultMaxBytes, part: String) throws(SecurityError) -> RubyValue {
        switch self {
        case .marshal:
            do {
                return try RubyMarshal.decode(bytes, limits: limits)
            } catch {
                throw .malformed("\(part): \(error)")
            }
        case .yaml:
            do {
                return try RubyYAML.load(bytes, limits: limits, maxBytes: maxYAMLBytes)
            } catch {
                throw .malformed("\(part): \(error)")
            }
        }
    }

    /// The serialised body as the envelope carries it: Marshal output is a binary String,
    /// YAML output a UTF-8 String (so YAML writes it as a `|` block).
    func bodyValue(_ bytes: [UInt8]) -> RubyValue {
        switch self {
        case .marshal: return .binary(bytes)
        case .yaml: return .str(String(decoding: bytes, as: UTF8.self))
        }
    }
}
