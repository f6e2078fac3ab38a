import Foundation
import Logging
import RubyMarshal
import Synchronization
import Yams

/// Facts from one or more YAML files (`factsource = yaml`, `plugin.yaml = a.yaml:b.yaml`),
/// merged in order, normalised, cached for `cacheTime` seconds and re-read when a file's
/// modification time changes. A file that cannot be read or parsed is logged and its
/// previous facts are kept, so one bad edit never empties a node's facts.
public final class YAMLFactSource: FactSource {
    private struct Cache {
        var facts = RubyHash()
        var loadedAt = Date.distantPast
        var modificationTimes: [String: Date] = [:]
    }

    public let paths: [String]
    private let cacheTime: TimeInterval
    private let logger: Logger
    private let cache = Mutex(Cache())

    public init(paths: [String], cacheTime: TimeInterval = 300, logger: Logger) {
        self.paths = paths
        self.cacheTime = cacheTime
        self.logger = logger
        _ = facts()
    }

    public func facts() -> RubyHash {
        let now = Date()
        let times = paths.map { Self.modificationTime($0) }
        return cache.withLock { cache in
            let changed = zip(paths, times).contains { cache.modificationTimes[$0.0] != $0.1 }
            guard changed || now.timeIntervalSince(cache.loadedAt) > cacheTime else { return cache.facts }
            if let loaded = load() {
                cache.facts = loaded
            }
            cache.loadedAt = now
            for (path, time) in zip(paths, times) { cache.modificationTimes[path] = time }
            return cache.facts
        }
    }

    private func load() -> RubyHash? {
        var merged = RubyHash()
        for path in paths {
            do {
                let text = try String(contentsOfFile: path, encoding: .utf8)
                guard let node = try Yams.compose(yaml: text) else { continue }
                guard case .hash(let hash) = Self.rubyValue(node) else {
                    logger.error("facts file \(path) does not hold a mapping; keeping the previous facts")
                    return nil
                }
                for pair in hash.pairs { merged.set(pair.value, for: pair.key) }
            } catch {
                logger.error("failed to load facts from \(path): \(error); keeping the previous facts")
                return nil
            }
        }
        guard case .hash(let normalized) = FactNormalizer.normalize(.hash(merged)) else { return merged }
        return normalized
    }

    /// A YAML node as the Ruby value Psych would load (scalars resolved by YAML 1.1 core rules).
    static func rubyValue(_ node: Node) -> RubyValue {
        switch node {
        case .scalar(let scalar):
            if scalar.style != .plain { return .str(scalar.string) }
            if let bool = Bool.construct(from: scalar) { return .bool(bool) }
            if let int = Int.construct(from: scalar) { return .int(int) }
            if let double = Double.construct(from: scalar) { return .float(double) }
            if NSNull.construct(from: scalar) != nil { return .nil }
            return .str(scalar.string)
        case .mapping(let mapping):
            var hash = RubyHash()
            for (key, value) in mapping { hash.set(rubyValue(value), for: rubyValue(key)) }
            return .hash(hash)
        case .sequence(let sequence):
            return .array(sequence.map(rubyValue))
        case .alias:
            return .nil
        }
    }

    /// From `stat(2)` directly: FileManager's attribute dictionary costs more than the rest of
    /// a request's admission.
    private static func modificationTime(_ path: String) -> Date? {
        FileStamp(path: path).map { Date(timeIntervalSince1970: Double($0.modifiedSeconds) + Double($0.modifiedNanoseconds) / 1e9) }
    }
}
