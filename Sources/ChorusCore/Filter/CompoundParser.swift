/// Parses `-S` compound filter expressions into MCollective's token lists
/// (matcher/parser.rb + matcher.rb `create_compound_callstack`).
///
/// Grammar as MCollective checks it: `and`/`or` sit between operands, `not` (or `!`) precedes an
/// operand or `(`, statements are followed by `and`, `or`, `)` or the end, and parentheses balance.
/// Two things MCollective's parser lets through but its nodes cannot evaluate are rejected here:
/// an operand directly after `)` (`(a) b`), and a `)` that closes nothing.
public enum CompoundParser {
    /// The longest expression accepted, in Unicode scalars.
    public static let maximumLength = 4096
    /// The deepest nesting of parentheses accepted (nodes refuse deeper filters, `FilterLimits`).
    public static let maximumNesting = 32

    /// Parses one expression, e.g. `(role=web or role=db) and datacenter=ams`.
    public static func parse(_ text: String) throws(FilterError) -> [CompoundToken] {
        let length = text.unicodeScalars.count
        guard length <= maximumLength else { throw .compoundTooLong(length: length, limit: maximumLength) }

        var scanner = CompoundScanner(text)
        var scanned: [CompoundScanner.Token] = []
        while let token = try scanner.next() { scanned.append(token) }
        guard !scanned.isEmpty else { throw scanner.syntax("the expression is empty", at: 0) }

        var tokens: [CompoundToken] = []
        tokens.reserveCapacity(scanned.count)
        var depth = 0
        for (position, token) in scanned.enumerated() {
            let previous = position > 0 ? scanned[position - 1].kind : nil
            let next = position + 1 < scanned.count ? scanned[position + 1] : nil
            let endColumn = length
            func fail(_ message: String) -> FilterError {
                scanner.syntax(message, at: next?.start ?? endColumn)
            }
            func found() -> String { next.map { "'\($0.text)'" } ?? "the end" }
            let operand: Set<CompoundScanner.Kind> = [.statement, .function]

            switch token.kind {
            case .and, .or:
                guard let previous, operand.contains(previous) || previous == .close else {
                    throw scanner.syntax("'\(token.text)' must follow a statement or ')'", at: token.start)
                }
                guard let next, operand.contains(next.kind) || [.not, .open].contains(next.kind) else {
                    throw fail("expected 'not', a statement or '(' after '\(token.text)', found \(found())")
                }
                tokens.append(token.kind == .and ? .and : .or)
            case .not:
                guard let next, operand.contains(next.kind) || [.not, .open].contains(next.kind) else {
                    throw fail("expected a statement, 'not' or '(' after 'not', found \(found())")
                }
                tokens.append(.not)
            case .open:
                guard let next, operand.contains(next.kind) || [.not, .open].contains(next.kind) else {
                    throw fail("expected a statement, 'not' or '(' after '(', found \(found())")
                }
                depth += 1
                guard depth <= maximumNesting else {
                    throw scanner.syntax("parentheses nested deeper than \(maximumNesting) levels", at: token.start)
                }
                tokens.append(.open)
            case .close:
                guard depth > 0 else { throw scanner.syntax("')' without a matching '('", at: token.start) }
                depth -= 1
                if let next, ![.and, .or, .close].contains(next.kind) {
                    throw fail("expected 'and', 'or' or ')' after ')', found \(found())")
                }
                tokens.append(.close)
            case .statement, .function:
                if let next, ![.and, .or, .close].contains(next.kind) {
                    throw fail("expected 'and', 'or' or ')' after '\(token.text)', found \(found())")
                }
                if token.kind == .statement {
                    tokens.append(.statement(token.text))
                } else {
                    do {
                        tokens.append(.function(try FunctionStatement(parsing: token.text)))
                    } catch {
                        throw scanner.syntax(error.message, at: token.start)
                    }
                }
            }
        }
        guard depth == 0 else { throw scanner.syntax("missing ')'", at: length) }
        return tokens
    }
}
