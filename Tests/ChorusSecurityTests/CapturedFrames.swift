import Foundation

/// The psk frames captured from real MCollective 2.12 (Tests/Fixtures/frames/*psk*):
/// name and STOMP body (the Marshal envelope).
struct CapturedFrame: CustomStringConvertible, Sendable {
    let name: String
    let body: [UInt8]
    var description: String { name }

    var isReply: Bool { name.contains("reply") && !name.contains("request") }

    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Fixtures/frames")

    static let psk: [CapturedFrame] = {
        let manager = FileManager.default
        var frames: [CapturedFrame] = []
        let folders = ((try? manager.contentsOfDirectory(atPath: directory.path)) ?? []).filter { $0.contains("psk") }.sorted()
        for folder in folders {
            let url = directory.appendingPathComponent(folder)
            for name in ((try? manager.contentsOfDirectory(atPath: url.path)) ?? []).sorted() where name.hasSuffix(".frame") {
                guard let raw = manager.contents(atPath: url.appendingPathComponent(name).path),
                    let body = body(of: Array(raw)), body.starts(with: [4, 8])
                else { continue }
                frames.append(CapturedFrame(name: "\(folder)/\(name)", body: body))
            }
        }
        return frames
    }()

    /// The body: after the blank line that ends the headers, `content-length` bytes.
    static func body(of raw: [UInt8]) -> [UInt8]? {
        guard let blank = (0..<max(raw.count - 1, 0)).first(where: { raw[$0] == 0x0A && raw[$0 + 1] == 0x0A }) else { return nil }
        let headers = String(decoding: raw[..<blank], as: UTF8.self)
        guard let line = headers.split(separator: "\n").first(where: { $0.hasPrefix("content-length:") }),
            let length = Int(line.dropFirst("content-length:".count)), blank + 2 + length <= raw.count
        else { return nil }
        return Array(raw[(blank + 2)..<(blank + 2 + length)])
    }
}
