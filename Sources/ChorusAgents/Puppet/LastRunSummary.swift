import Foundation
import ChorusSecurity
import RubyMarshal

/// Puppet's last_run_summary.yaml: what the last run did and how long it took.
///
/// Parsed as Ruby's `YAML.load_file` would (Psych's typing), then completed as the original
/// agent completes it: the sections `changes`, `time`, `resources`, `version` and `events`
/// always exist, and `resources` always counts `failed`, `changed`, `corrective_change`,
/// `total`, `restarted` and `out_of_sync` (0 when Puppet did not write them).
public struct LastRunSummary: Sendable, Hashable {
    /// The whole summary, String keys, as Puppet wrote it plus the defaults above.
    public var document: RubyHash

    /// The summary of a node that has never run Puppet: every count 0, no times.
    public init() {
        self.init(parsed: RubyHash())
    }

    /// Parses the text of a last_run_summary.yaml file.
    public init(yaml: String) throws(LastRunSummaryError) {
        if yaml.allSatisfy(\.isWhitespace) {
            self.init()
            return
        }
        let value: RubyValue
        do {
            value = try RubyYAML.load(Array(yaml.utf8))
        } catch {
            throw .invalid(error.description)
        }
        switch value {
        case .hash(let hash): self.init(parsed: hash)
        case .nil: self.init()
        default: throw .invalid("the document is not a mapping of sections")
        }
    }

    private init(parsed: RubyHash) {
        var document = RubyHash()
        for section in ["changes", "time", "resources", "version", "events"] {
            document.set(.hash(RubyHash()), for: .str(section))
        }
        for pair in parsed.pairs { document.set(pair.value, for: pair.key) }
        var resources = RubyHash(stringKeys: [
            "failed": 0, "changed": 0, "corrective_change": 0, "total": 0, "restarted": 0, "out_of_sync": 0,
        ])
        for pair in (document["resources"]?.asHash ?? RubyHash()).pairs { resources.set(pair.value, for: pair.key) }
        document.set(.hash(resources), for: .str("resources"))
        self.document = document
    }

    private func section(_ name: String) -> RubyHash { document[name]?.asHash ?? RubyHash() }

    /// A count from the `resources` section (0 when absent or not a number).
    public func resources(_ name: String) -> Int { Self.integer(section("resources")[name]) ?? 0 }

    /// A time from the `time` section, seconds (0 when absent).
    public func time(_ name: String) -> Double { section("time")[name]?.doubleValue ?? 0 }

    public var outOfSyncResources: Int { resources("out_of_sync") }
    public var failedResources: Int { resources("failed") }
    public var correctedResources: Int { resources("corrective_change") }
    public var changedResources: Int { resources("changed") }
    public var totalResources: Int { resources("total") }
    public var totalTime: Double { time("total") }
    public var configRetrievalTime: Double { time("config_retrieval") }

    /// When the run finished applying, seconds since the epoch; 0 when unknown.
    public var lastRun: Int { Self.integer(section("time")["last_run"]) ?? 0 }

    /// The catalog's configuration version as text (`"unknown"` when absent).
    public var configVersion: String {
        switch section("version")["config"] {
        case .some(.int(let number)): return String(number)
        case .some(let value) where value.stringValue != nil: return value.stringValue!
        case .some(.float(let number)): return String(number)
        default: return "unknown"
        }
    }

    /// The Puppet version that wrote the summary, if it said.
    public var puppetVersion: String? { section("version")["puppet"]?.stringValue }

    /// Ruby's `Integer(x)` for the numbers Puppet writes: integers, whole floats, digit strings.
    static func integer(_ value: RubyValue?) -> Int? {
        switch value {
        case .some(.int(let number)): return number
        case .some(.float(let number)) where number.isFinite: return Int(number)
        case .some(let other):
            return other.stringValue.flatMap { Int($0.trimmingCharacters(in: .whitespaces)) }
        case nil: return nil
        }
    }
}

/// Why a last_run_summary.yaml could not be read.
public enum LastRunSummaryError: Error, Sendable, Hashable, CustomStringConvertible {
    case invalid(String)

    public var description: String {
        switch self {
        case .invalid(let why): return "not a Puppet run summary (\(why))"
        }
    }
}
