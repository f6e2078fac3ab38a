extension FactFilter {
    /// Parses a command line fact filter the way mco does (util.rb `parse_fact_string`):
    /// `a=>b` is `>=`, `a=<b` is `<=`; `<=`, `>=`, `<`, `>`, `!=`, `==`, `=~` are taken literally;
    /// `a=/re/` becomes `=~` with the value `/re/`; `a=b` is `==`. Spaces around the operator are allowed.
    public static func parse(_ text: String) throws(FilterError) -> FactFilter {
        let scalars = Array(text.unicodeScalars)
        if let hit = Self.split(scalars, operators: ["=>"], nameMayContain: .anythingButSpace) {
            return FactFilter(fact: hit.name, operator: .greaterOrEqual, value: hit.value)
        }
        if let hit = Self.split(scalars, operators: ["=<"], nameMayContain: .anythingButSpace) {
            return FactFilter(fact: hit.name, operator: .lessOrEqual, value: hit.value)
        }
        let literal = ["<=", ">=", "<", ">", "!=", "==", "=~"]
        if let hit = Self.split(scalars, operators: literal, nameMayContain: .anythingButSpace),
            let op = FactOperator(rawValue: hit.op)
        {
            return FactFilter(fact: hit.name, operator: op, value: hit.value)
        }
        if let hit = Self.splitRegex(scalars) {
            return FactFilter(fact: hit.name, operator: .matches, value: hit.value)
        }
        if let hit = Self.split(scalars, operators: ["="], nameMayContain: .anythingButSpaceOrEquals) {
            return FactFilter(fact: hit.name, operator: .equal, value: hit.value)
        }
        throw .invalidFact(text)
    }

    private enum NameCharacters { case anythingButSpace, anythingButSpaceOrEquals }

    /// `^(name+?)[ ]*(op)[ ]*(.+)`: the shortest name after which one of `operators` follows.
    private static func split(
        _ s: [Unicode.Scalar], operators: [String], nameMayContain allowed: NameCharacters
    ) -> (name: String, op: String, value: String)? {
        let ops = operators.map { Array($0.unicodeScalars) }
        var end = 1
        while end < s.count {
            let last = s[end - 1]
            if last == " " || (allowed == .anythingButSpaceOrEquals && last == "=") { return nil }
            var k = end
            while k < s.count, s[k] == " " { k += 1 }
            for (opText, op) in zip(operators, ops) where FilterScalars.has(s, prefix: op, at: k) {
                let afterOp = k + op.count
                let name = FilterScalars.string(s[0..<end])
                var valueStart = afterOp
                while valueStart < s.count, s[valueStart] == " " { valueStart += 1 }
                if valueStart < s.count {
                    return (name, opText, FilterScalars.string(s[valueStart...]))
                }
                // `[ ]*(.+)` backtracks so that the last space becomes the value.
                if valueStart > afterOp { return (name, opText, " ") }
            }
            end += 1
        }
        return nil
    }

    /// `^(.+?)[ ]*=[ ]*\/(.+)\/$`: `name=/re/`, value kept with its slashes.
    private static func splitRegex(_ s: [Unicode.Scalar]) -> (name: String, value: String)? {
        guard s.count >= 4, s[s.count - 1] == "/" else { return nil }
        for end in 1..<s.count {
            var k = end
            while k < s.count, s[k] == " " { k += 1 }
            guard k < s.count, s[k] == "=" else { continue }
            k += 1
            while k < s.count, s[k] == " " { k += 1 }
            guard k < s.count, s[k] == "/", k + 1 <= s.count - 2 else { continue }
            return (FilterScalars.string(s[0..<end]), "/" + FilterScalars.string(s[(k + 1)..<(s.count - 1)]) + "/")
        }
        return nil
    }
}

