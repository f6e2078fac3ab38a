#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import RubyMarshal

extension AgentDDL {
    /// The largest DDL file accepted (real ones are a few KiB).
    public static let maxDocumentSize = 4 * 1024 * 1024

    /// Parses a DDL document. `file` only labels errors.
    public static func load(json: String, file: String? = nil) throws(DDLLoadError) -> AgentDDL {
        try load(bytes: Array(json.utf8), file: file)
    }

    /// Parses a DDL document from raw bytes. `file` only labels errors.
    public static func load(bytes: [UInt8], file: String? = nil) throws(DDLLoadError) -> AgentDDL {
        guard bytes.count <= maxDocumentSize else {
            throw DDLLoadError(file: file, location: "", message: "larger than \(maxDocumentSize) bytes")
        }
        let root: RubyValue
        do {
            root = try RubyValue(jsonBytes: bytes, maxNesting: maxNesting)
        } catch {
            throw DDLLoadError(file: file, location: lineAndColumn(of: error.offset, in: bytes), message: error.message)
        }
        return try DDLDocumentDecoder(file: file).decode(root)
    }

    /// The deepest nesting accepted (a DDL needs 5 levels plus those of its defaults).
    public static let maxNesting = 32

    /// "line L, column C" (1-based, columns in characters) of a byte offset.
    static func lineAndColumn(of offset: Int, in bytes: [UInt8]) -> String {
        var line = 1
        var column = 1
        for byte in bytes[..<min(max(offset, 0), bytes.count)] {
            if byte == 0x0A {
                line += 1
                column = 1
            } else if byte & 0xC0 != 0x80 {
                column += 1
            }
        }
        return "line \(line), column \(column)"
    }

    /// Reads and parses the DDL file at `path`: a Ruby DDL (MCollective's format) when the
    /// name ends in `.ddl`, a JSON DDL otherwise.
    public static func load(contentsOf path: String) throws(DDLLoadError) -> AgentDDL {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw DDLLoadError(file: path, location: "", message: "cannot read the file: \(error)")
        }
        guard path.hasSuffix(".ddl") else { return try load(bytes: Array(data), file: path) }
        guard data.count <= maxDocumentSize else {
            throw DDLLoadError(file: path, location: "", message: "larger than \(maxDocumentSize) bytes")
        }
        guard let text = String(validating: Array(data), as: UTF8.self) else {
            throw DDLLoadError(file: path, location: "", message: "not UTF-8 text; save the DDL as UTF-8")
        }
        return try load(rubyDDL: text, file: path)
    }
}
