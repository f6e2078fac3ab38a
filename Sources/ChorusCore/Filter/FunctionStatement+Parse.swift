/// Why an `fstatement` token could not be turned into a `FunctionStatement`.
struct FunctionStatementSyntax: Error {
    var message: String
}

extension FunctionStatement {
    private static let splitOperators: [[Unicode.Scalar]] = ["!=", ">=", "<=", "<", ">", "="].map {
        Array($0.unicodeScalars)
    }

    /// Builds the statement from an `fstatement` token such as `fstat('/etc/hosts').size>100`,
    /// with MCollective's rules (matcher.rb `create_function_hash`): the text after the last
    /// comparison operator is the right hand side, `/re/` there makes the comparison a regex match,
    /// `=` becomes `==`, and one pair of quotes is removed from the parameters.
    init(parsing token: String) throws(FunctionStatementSyntax) {
        let s = Array(token.unicodeScalars)
        var last: (start: Int, length: Int)?
        var i = 0
        while i < s.count {
            if let op = Self.splitOperators.first(where: { FilterScalars.has(s, prefix: $0, at: i) }) {
                last = (i, op.count)
                i += op.count
            } else {
                i += 1
            }
        }
        guard let last else {
            throw FunctionStatementSyntax(
                message: "'\(token)' needs a comparison, e.g. \(Self.example)")
        }
        let rightHand = FilterScalars.string(s[(last.start + last.length)...])
        var operatorText = FilterScalars.string(s[last.start..<(last.start + last.length)])
        guard !rightHand.isEmpty else {
            throw FunctionStatementSyntax(message: "'\(token)' has nothing to compare with")
        }
        let call = Array(s[..<last.start])

        // `name('params')` alone, or `name('params').output`.
        var function = call
        var output: String?
        if !Self.isBareCall(call) {
            guard let dot = call.lastIndex(of: "."), dot + 1 < call.count else {
                throw FunctionStatementSyntax(message: "'\(token)' does not name a data plugin call")
            }
            output = FilterScalars.string(call[(dot + 1)...])
            function = Array(call[..<dot])
        }

        let comparand: Comparand
        let r = Array(rightHand.unicodeScalars)
        if r.count >= 2, r.first == "/", r.last == "/" {
            if operatorText == "=" { operatorText = "=~" }
            if operatorText == "!=" { operatorText = "!=~" }
            comparand = .regex(FilterScalars.string(r[1..<(r.count - 1)]))
        } else {
            if operatorText == "=" { operatorText = "==" }
            comparand = .text(rightHand)
        }
        guard let op = Operator(rawValue: operatorText) else {
            throw FunctionStatementSyntax(message: "'\(token)' has an unknown operator \(operatorText)")
        }

        guard let open = function.firstIndex(of: "("), open > 0 else {
            throw FunctionStatementSyntax(message: "'\(token)' does not name a data plugin call")
        }
        let name = FilterScalars.string(function[..<open])
        let afterOpen = function[(open + 1)...]
        let paramsPart = afterOpen.prefix { $0 != "(" }
        var params: String?
        if !(paramsPart.count == 1 && paramsPart.first == ")") {
            var chars = paramsPart.filter { $0 != ")" }
            if let first = chars.firstIndex(where: Self.isQuote) { chars.remove(at: first) }
            if let lastQuote = chars.lastIndex(where: Self.isQuote) { chars.remove(at: lastQuote) }
            params = FilterScalars.string(chars)
        }
        self.init(name: name, params: params, value: output, operator: op, comparand: comparand)
    }

    static let example = "fact('role').value=db"

    private static func isQuote(_ c: Unicode.Scalar) -> Bool { c == "'" || c == "\"" }

    /// `^.+\(.*\)$`: the call has no `.output` suffix.
    private static func isBareCall(_ call: [Unicode.Scalar]) -> Bool {
        guard call.count >= 3, call.last == ")" else { return false }
        return call[1..<(call.count - 1)].contains("(")
    }
}
