/// Heredocs: `<<EOU`, `<<-EOU` (indented terminator), `<<~EOU` (indentation removed), with
/// a quoted name (`<<-'EOU'`) for raw text. The body starts on the line after the one that
/// opens it and is read when the scanner reaches that line's end.
extension RubyDDLScanner {
    mutating func readHeredocStart() throws(RubyDDLError) {
        let start = position
        var offset = 2
        var indented = false
        var squiggly = false
        if peek(2) == "-" {
            indented = true
            offset = 3
        } else if peek(2) == "~" {
            indented = true
            squiggly = true
            offset = 3
        }
        guard let first = peek(offset), first == "'" || first == "\"" || Self.isNameStart(first) else {
            advance()
            advance()
            emit(.other("<<"), at: start)
            return
        }
        for _ in 0..<offset { advance() }
        var terminator = String.UnicodeScalarView()
        var interpolating = true
        if first == "'" || first == "\"" {
            interpolating = first == "\""
            advance()
            while true {
                guard let next = peek(), next != "\n" else { throw RubyDDLError(start, "the heredoc's quoted name is never closed") }
                advance()
                if next == first { break }
                terminator.append(next)
            }
        } else {
            while let next = peek(), Self.isNameCharacter(next) {
                terminator.append(next)
                advance()
            }
        }
        pendingHeredocs.append(
            PendingHeredoc(
                tokenIndex: tokens.count, terminator: String(terminator), indented: indented, squiggly: squiggly,
                interpolating: interpolating, position: start))
        emit(.string([]), at: start)
    }

    /// Reads the bodies of the heredocs started on the line just ended.
    mutating func readHeredocBodies() throws(RubyDDLError) {
        let heredocs = pendingHeredocs
        pendingHeredocs.removeAll()
        for heredoc in heredocs {
            let bodyStart = position
            var lines: [[Unicode.Scalar]] = []
            while true {
                guard peek() != nil else {
                    throw RubyDDLError(heredoc.position, "the heredoc <<\(heredoc.terminator) is never closed: add a line with \(heredoc.terminator)")
                }
                var content: [Unicode.Scalar] = []
                while let next = peek(), next != "\n" {
                    content.append(next)
                    advance()
                }
                let hadNewline = peek() == "\n"
                advance()
                var candidate = content[...]
                if candidate.last == "\r" { candidate = candidate.dropLast() }
                if heredoc.indented { candidate = candidate.drop { $0 == " " || $0 == "\t" } }
                if String(String.UnicodeScalarView(candidate)) == heredoc.terminator { break }
                lines.append(hadNewline ? content + ["\n"] : content)
                if !hadNewline {
                    throw RubyDDLError(heredoc.position, "the heredoc <<\(heredoc.terminator) is never closed: add a line with \(heredoc.terminator)")
                }
            }
            if heredoc.squiggly { lines = Self.dedented(lines) }
            let body = Array(lines.joined())
            let parts: [RubyDDLStringPart]
            if heredoc.interpolating {
                var reader = RubyDDLScanner(scalars: body, line: bodyStart.line, column: 1)
                parts = try reader.readQuotedContent(terminator: nil, start: heredoc.position)
            } else {
                parts = body.isEmpty ? [] : [.text(String(String.UnicodeScalarView(body)))]
            }
            tokens[heredoc.tokenIndex].kind = .string(parts)
        }
    }

    /// `<<~` removes the indentation common to every non-blank line.
    static func dedented(_ lines: [[Unicode.Scalar]]) -> [[Unicode.Scalar]] {
        let isBlank: ([Unicode.Scalar]) -> Bool = { $0.allSatisfy { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" } }
        let indents = lines.filter { !isBlank($0) }.map { $0.prefix { $0 == " " || $0 == "\t" }.count }
        let common = indents.min() ?? 0
        return lines.map { isBlank($0) ? Array($0.drop { $0 == " " || $0 == "\t" }) : Array($0.dropFirst(common)) }
    }
}
