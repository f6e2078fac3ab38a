extension AgentDDL {
    /// Reads one of MCollective's Ruby `.ddl` files without running it: only the declarative
    /// subset DDLs are written in is understood (docs/DDL.md, "Ruby DDL files and
    /// validators"): `metadata`, `requires`, `usage`, `action … do … end` with `display`,
    /// `input`, `output` and `summarize do aggregate … end`, `dataquery … do … end`, literal
    /// values, comments, heredocs and each-loops over literal lists. Anything else (method
    /// calls, conditionals, interpolation of anything but a loop variable) is an error naming
    /// the line and column. `file` only labels errors.
    ///
    /// The result is the same `AgentDDL` a JSON DDL gives: an agent when the file declares
    /// actions, a data plugin when it declares a `dataquery`. Files declaring neither
    /// (aggregate, connector, discovery and validator plugins' DDLs) are errors.
    public static func load(rubyDDL text: String, file: String? = nil) throws(DDLLoadError) -> AgentDDL {
        guard text.utf8.count <= maxDocumentSize else {
            throw DDLLoadError(file: file, location: "", message: "larger than \(maxDocumentSize) bytes")
        }
        // Editors on Windows may start the file with a byte order mark and end lines with CRLF
        // (the scanner treats \r as white space).
        let source = text.hasPrefix("\u{FEFF}") ? String(text.unicodeScalars.dropFirst()) : text
        do {
            return try RubyDDLBuilder.build(try RubyDDLParser.parse(source))
        } catch {
            throw error.loadError(file: file)
        }
    }
}
