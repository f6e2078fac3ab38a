extension Filter {
    /// Whether `node` is selected by this filter, with MCollective 2.12's rules
    /// (security/base.rb `validate_filter?`, util.rb, matcher.rb):
    ///
    /// - the empty filter selects every node; otherwise every entry of every section must pass and
    ///   at least one must exist (a filter holding only a `collective` selects nothing);
    /// - `cf_class`: exact class, or `/re/` with *all* `/` removed as a regex;
    /// - `agent`: a loaded agent (exact or `/re/`), `"mcollective"` always passes;
    /// - `fact`: see `FactFilter`; a missing fact fails, Array facts pass when any element does,
    ///   Hash facts when any key does; `<`, `>`, `<=`, `>=`, `!=` compare as integers when both sides
    ///   are digits, as floats when both look like `^[0-9]+.[0-9]+$`, else as strings;
    /// - `identity`: passes when exactly one entry matches (so `-I node1 -I /node/` excludes node1);
    /// - `compound`: each expression is evaluated with `not` binding tighter than `and`, `and`
    ///   tighter than `or` (Ruby's `!`, `&&`, `||`).
    ///
    /// Whatever makes MCollective's node raise while checking (a regex that does not compile, a data
    /// plugin that does not exist or rejects its query, an `fstatement` without an output, a
    /// malformed expression, a numeric comparison with a non-number) makes the node not match.
    /// A data plugin output that is missing or nil makes just that `fstatement` false.
    public func matches(_ node: some FilterSubject) -> Bool {
        if isEmpty { return true }
        var evaluator = FilterEvaluator(node: node)
        return (try? evaluator.evaluate(self)) ?? false
    }
}

/// Raised inside filter evaluation where MCollective's node would raise; the node then does not match.
struct FilterEvaluationFailure: Error {
    var reason: String
}

/// Evaluates one filter against one node, caching compiled regexes for the evaluation.
struct FilterEvaluator<Subject: FilterSubject> {
    let node: Subject
    var regexes = RubyRegexCache()

    init(node: Subject) { self.node = node }

    mutating func evaluate(_ filter: Filter) throws -> Bool {
        var passed = 0
        for name in filter.classes {
            guard try hasClass(name) else { return false }
            passed += 1
        }
        for name in filter.agents {
            guard try hasAgent(name) || name == "mcollective" else { return false }
            passed += 1
        }
        for fact in filter.facts {
            guard try hasFact(fact.fact, value: fact.value, operator: fact.operator) else { return false }
            passed += 1
        }
        if !filter.identities.isEmpty {
            var matched = 0
            for entry in filter.identities where try hasIdentity(entry) { matched += 1 }
            guard matched == 1 else { return false }
            passed += 1
        }
        for expression in filter.compound {
            guard try evaluate(expression: expression) else { return false }
            passed += 1
        }
        return passed > 0
    }

    /// util.rb `has_cf_class?`: a line of the classes file, or `/re/` (all slashes removed).
    mutating func hasClass(_ name: String) throws -> Bool {
        if name.hasPrefix("/") {
            let source = Self.removingSlashes(name)
            for line in node.classes where try regexes.matches(source, in: line) { return true }
            return false
        }
        return node.classes.contains { $0.utf8.elementsEqual(name.utf8) }
    }

    /// util.rb `has_agent?`.
    mutating func hasAgent(_ name: String) throws -> Bool {
        if name.hasPrefix("/") {
            let source = Self.removingSlashes(name)
            for agent in node.agents where try regexes.matches(source, in: agent) { return true }
            return false
        }
        return node.agents.contains { $0.utf8.elementsEqual(name.utf8) }
    }

    /// util.rb `has_identity?`.
    mutating func hasIdentity(_ entry: String) throws -> Bool {
        if entry.hasPrefix("/") {
            return try regexes.matches(Self.removingSlashes(entry), in: node.identity)
        }
        return node.identity.utf8.elementsEqual(entry.utf8)
    }

    static func removingSlashes(_ text: String) -> String {
        var out = String.UnicodeScalarView()
        out.append(contentsOf: text.unicodeScalars.lazy.filter { $0 != "/" })
        return String(out)
    }
}
