import Foundation
import RubyMarshal

/// The captured MCollective frames under Tests/Fixtures/frames whose bodies are Marshal
/// envelopes (the psk and ssl/marshal captures), with the decode `decode_frame.rb` printed
/// for each using the real Ruby.
struct FixtureFrame: CustomStringConvertible {
    let name: String
    /// The STOMP body: the Marshal-encoded envelope.
    let envelope: [UInt8]
    /// The decode_frame.rb lines for the envelope's pairs (without the two-space margin).
    let expectedEnvelopeLines: [String]
    /// The decode_frame.rb `pretty_inspect` lines of the inner body (without the margin).
    let expectedInnerLines: [String]

    var description: String { name }

    static let directory: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent()
        .deletingLastPathComponent()
        .appendingPathComponent("Fixtures/frames")

    /// Every Marshal-bodied frame in the psk and ssl_marshal capture directories.
    static let all: [FixtureFrame] = {
        let manager = FileManager.default
        let directories = ((try? manager.contentsOfDirectory(atPath: directory.path)) ?? [])
            .filter { $0.contains("psk") || $0.contains("ssl_marshal") }
            .sorted()
        var frames: [FixtureFrame] = []
        for folder in directories {
            let folderURL = directory.appendingPathComponent(folder)
            let names = ((try? manager.contentsOfDirectory(atPath: folderURL.path)) ?? [])
                .filter { $0.hasSuffix(".frame") }
                .sorted()
            for name in names {
                guard let raw = manager.contents(atPath: folderURL.appendingPathComponent(name).path),
                    let body = stompBody(Array(raw)), body.starts(with: [4, 8])
                else { continue }
                let textURL = folderURL.appendingPathComponent(String(name.dropLast(6)) + ".txt")
                let text = (try? String(contentsOf: textURL, encoding: .utf8)) ?? ""
                let (envelopeLines, innerLines) = decodeFrameSections(text)
                frames.append(
                    FixtureFrame(
                        name: folder + "/" + name, envelope: body, expectedEnvelopeLines: envelopeLines,
                        expectedInnerLines: innerLines))
            }
        }
        return frames
    }()

    /// Everything after the first blank line, up to content-length bytes (or the NUL).
    static func stompBody(_ raw: [UInt8]) -> [UInt8]? {
        guard let blank = (0..<max(raw.count - 1, 0)).first(where: { raw[$0] == 0x0A && raw[$0 + 1] == 0x0A }) else {
            return nil
        }
        let header = String(decoding: raw[..<blank], as: UTF8.self)
        let start = blank + 2
        for line in header.split(separator: "\n") where line.hasPrefix("content-length:") {
            guard let length = Int(line.dropFirst("content-length:".count)), start + length <= raw.count else {
                return nil
            }
            return Array(raw[start..<start + length])
        }
        let end = raw[start...].firstIndex(of: 0) ?? raw.count
        return Array(raw[start..<end])
    }

    private static func decodeFrameSections(_ text: String) -> ([String], [String]) {
        var envelope: [String] = []
        var inner: [String] = []
        var section = 0
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.hasPrefix("ENVELOPE") {
                section = 1
            } else if line.hasPrefix("INNER BODY") {
                section = 2
            } else if line.hasPrefix("  ") {
                if section == 1 { envelope.append(String(line.dropFirst(2))) }
                if section == 2 { inner.append(String(line.dropFirst(2))) }
            }
        }
        return (envelope, inner)
    }
}

extension RubyValue {
    /// The Ruby class name decode_frame.rb prints after each envelope value.
    var rubyClassName: String {
        switch self {
        case .nil: return "NilClass"
        case .bool(let flag): return flag ? "TrueClass" : "FalseClass"
        case .int, .bigInt: return "Integer"
        case .float: return "Float"
        case .string: return "String"
        case .symbol: return "Symbol"
        case .array: return "Array"
        case .hash: return "Hash"
        case .regexp: return "Regexp"
        }
    }
}
