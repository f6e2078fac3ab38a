import Foundation
import Logging
import Synchronization

/// Log lines in MCollective's format (`I, [2026-11-24T17:47:03.123456 #11831]  INFO -- : message`),
/// written to a file or standard error. One handler per process; writes are serialised.
struct ChorusLogHandler: LogHandler {
    final class Sink: Sendable {
        private let handle: Mutex<FileHandle>
        init(handle: FileHandle) { self.handle = Mutex(handle) }
        func write(_ line: String) {
            let data = Data(line.utf8)
            handle.withLock { $0.write(data) }
        }
    }

    let label: String
    let sink: Sink
    var logLevel: Logger.Level
    var metadata: Logger.Metadata = [:]

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        let letter: String
        let word: String
        switch event.level {
        case .trace, .debug: (letter, word) = ("D", "DEBUG")
        case .info, .notice: (letter, word) = ("I", " INFO")
        case .warning: (letter, word) = ("W", " WARN")
        case .error: (letter, word) = ("E", "ERROR")
        case .critical: (letter, word) = ("F", "FATAL")
        }
        let stamp = Self.timestamp()
        sink.write("\(letter), [\(stamp) #\(ProcessInfo.processInfo.processIdentifier)] \(word) -- \(label): \(event.message)\n")
    }

    private static func timestamp() -> String {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        var seconds = now.tv_sec
        var parts = tm()
        gmtime_r(&seconds, &parts)
        return String(
            format: "%04d-%02d-%02dT%02d:%02d:%02d.%06d", parts.tm_year + 1900, parts.tm_mon + 1, parts.tm_mday,
            parts.tm_hour, parts.tm_min, parts.tm_sec, now.tv_nsec / 1000)
    }
}

enum LogSetup {
    /// MCollective's level names (debug, info, warn, error, fatal) as swift-log levels.
    static func level(_ name: String?) -> Logger.Level {
        switch name?.lowercased() {
        case "debug": return .debug
        case "info": return .info
        case "warn", "warning": return .warning
        case "error": return .error
        case "fatal": return .critical
        default: return .info
        }
    }

    /// Sends every logger of the process to `path` (appending) or, with nil, to standard error.
    static func bootstrap(path: String?, level: Logger.Level) throws {
        let handle: FileHandle
        if let path {
            if !FileManager.default.fileExists(atPath: path) {
                guard FileManager.default.createFile(atPath: path, contents: nil) else {
                    throw ValidationFailure("cannot create the log file \(path)")
                }
            }
            guard let opened = FileHandle(forWritingAtPath: path) else {
                throw ValidationFailure("cannot open the log file \(path) for writing")
            }
            opened.seekToEndOfFile()
            handle = opened
        } else {
            handle = FileHandle.standardError
        }
        let sink = ChorusLogHandler.Sink(handle: handle)
        LoggingSystem.bootstrap { label in ChorusLogHandler(label: label, sink: sink, logLevel: level) }
    }
}

/// An error whose text is shown to the user as is.
struct ValidationFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
