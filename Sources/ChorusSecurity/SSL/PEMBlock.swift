/// One `-----BEGIN label-----` … `-----END label-----` block of a PEM file.
struct PEMBlock {
    var label: String
    /// Header lines such as `Proc-Type: 4,ENCRYPTED` (legacy encrypted keys).
    var headers: [String]
    var der: [UInt8]
    /// The block's own text, BEGIN to END lines.
    var text: String

    /// Every block in `text`, in order; text outside blocks is ignored.
    static func blocks(in text: String) -> [PEMBlock] {
        var blocks: [PEMBlock] = []
        var label: String?
        var lines: [Substring] = []
        for rawLine in text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" }) {
            let line = rawLine.trimmingTrailingWhitespace()
            if let open = label {
                lines.append(line)
                if line == "-----END \(open)-----" {
                    blocks.append(make(label: open, lines: lines))
                    label = nil
                    lines = []
                }
            } else if line.hasPrefix("-----BEGIN "), line.hasSuffix("-----"), line.count > 16 {
                label = String(line.dropFirst(11).dropLast(5))
                lines = [line]
            }
        }
        return blocks
    }

    private static func make(label: String, lines: [Substring]) -> PEMBlock {
        var headers: [String] = []
        var body: [UInt8] = []
        for line in lines.dropFirst().dropLast() {
            if line.contains(":") {
                headers.append(String(line))
            } else {
                body.append(contentsOf: line.utf8)
            }
        }
        return PEMBlock(
            label: label, headers: headers, der: RubyBase64.decodeLenient(body),
            text: lines.joined(separator: "\n") + "\n")
    }

    var isEncrypted: Bool {
        label.contains("ENCRYPTED") || headers.contains { $0.hasPrefix("Proc-Type:") && $0.contains("ENCRYPTED") }
    }
}

extension Substring {
    fileprivate func trimmingTrailingWhitespace() -> Substring {
        var end = endIndex
        while end > startIndex, let last = self[..<end].last, last == " " || last == "\t" || last == "\r" {
            end = index(before: end)
        }
        return self[..<end]
    }
}
