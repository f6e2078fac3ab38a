import ChorusCore
import RubyMarshal

/// The node's bounds on what it receives, and whether it refuses replays; from the
/// `plugin.chorus.*` settings of server.cfg (docs/SECURITY.md, "Limits"):
///
/// | key | default |
/// |---|---|
/// | `plugin.chorus.max_message_size` | 4194304 bytes (4 MiB) |
/// | `plugin.chorus.max_yaml_size` | 1048576 bytes (ssl with `plugin.ssl_serializer = yaml`) |
/// | `plugin.chorus.max_nesting_depth` | 32 (Marshal and YAML) |
/// | `plugin.chorus.max_collection_size` | 65536 elements of one Array or pairs of one Hash |
/// | `plugin.chorus.replay_protection` | 1 |
/// | `plugin.chorus.replay_cache_size` | 100000 request ids |
///
/// Filter bounds are `FilterLimits.default`, which every filter a client can build passes.
public struct AdmissionLimits: Sendable, Equatable {
    /// The largest message body accepted; larger ones are refused before decoding.
    public var maxMessageBytes: Int
    /// The largest YAML document (envelope or body) the ssl yaml serializer parses.
    public var maxYAMLBytes: Int
    /// Bounds for decoding envelopes and bodies (Marshal and YAML).
    public var decoding: MarshalLimits
    /// Bounds on the received filter.
    public var filter: FilterLimits
    /// Whether a request id seen again within its TTL is refused.
    public var replayProtection: Bool
    /// The most request ids remembered at once (`ReplayWindow`).
    public var replayCacheSize: Int

    public init(
        maxMessageBytes: Int = 4 << 20, maxYAMLBytes: Int = 1 << 20,
        decoding: MarshalLimits = AdmissionLimits.nodeDecoding, filter: FilterLimits = .default,
        replayProtection: Bool = true, replayCacheSize: Int = ReplayCache.defaultCapacity
    ) {
        self.maxMessageBytes = maxMessageBytes
        self.maxYAMLBytes = maxYAMLBytes
        self.decoding = decoding
        self.filter = filter
        self.replayProtection = replayProtection
        self.replayCacheSize = replayCacheSize
    }

    /// Depth 32, 200,000 objects, a million values, 65,536 elements per collection, 1 KiB bignums.
    public static let nodeDecoding = MarshalLimits(
        maxDepth: 32, maxObjects: 200_000, maxNodes: 1_000_000, maxBignumBytes: 1024, maxCollectionCount: 65_536)

    /// Every default.
    public static let `default` = AdmissionLimits()

    /// Reads the `plugin.chorus.*` keys; a value that is not a positive whole number (or a
    /// boolean for `replay_protection`) is an error naming the key.
    public init(settings: PluginSettings) throws(AdmissionLimitsError) {
        self.init()
        let chorus = settings.scoped(to: "chorus")
        func size(_ key: String, minimum: Int) throws(AdmissionLimitsError) -> Int? {
            guard let text = chorus[key] else { return nil }
            guard let value = Int(text.trimmingSpaces), value >= minimum else {
                throw AdmissionLimitsError(
                    "plugin.chorus.\(key) = \(text) is not a whole number of at least \(minimum); write it without units, e.g. plugin.chorus.\(key) = \(Self.exampleValue(key))")
            }
            return value
        }
        if let value = try size("max_message_size", minimum: 1024) { maxMessageBytes = value }
        if let value = try size("max_yaml_size", minimum: 1024) { maxYAMLBytes = value }
        if let value = try size("max_nesting_depth", minimum: 4) { decoding.maxDepth = value }
        if let value = try size("max_collection_size", minimum: 16) { decoding.maxCollectionCount = value }
        if let value = try size("replay_cache_size", minimum: 1) { replayCacheSize = value }
        if let text = chorus["replay_protection"] {
            switch text.trimmingSpaces.lowercased() {
            case "1", "true", "yes", "y", "t": replayProtection = true
            case "0", "false", "no", "n", "f": replayProtection = false
            default:
                throw AdmissionLimitsError("plugin.chorus.replay_protection = \(text) is not a boolean; write 1 or 0")
            }
        }
    }

    private static func exampleValue(_ key: String) -> String {
        switch key {
        case "max_message_size": return "4194304"
        case "max_yaml_size": return "1048576"
        case "max_nesting_depth": return "32"
        case "max_collection_size": return "65536"
        default: return "100000"
        }
    }
}

/// A `plugin.chorus.*` setting the node cannot use.
public struct AdmissionLimitsError: Error, Sendable, CustomStringConvertible {
    public let description: String
    init(_ description: String) { self.description = description }
}

extension String {
    fileprivate var trimmingSpaces: String {
        String(self.drop(while: { $0 == " " || $0 == "\t" }).reversed().drop(while: { $0 == " " || $0 == "\t" }).reversed())
    }
}
