import ChorusCore

extension ActionPolicy {
    /// Parses a policy file's text (actionpolicy.rb's format):
    ///
    ///     # comment
    ///     policy default deny
    ///     allow<TAB>uid=500 admins<TAB>status restart<TAB>role=web<TAB>web::nginx
    ///     deny<TAB>*<TAB>update<TAB>(environment=production and not puppet().enabled=false)
    ///
    /// - Blank lines and lines starting with `#` are skipped.
    /// - `policy default allow|deny` sets the default (the last such line counts).
    /// - A rule is 4 or 5 fields separated by one or more TABs; spaces separate list items
    ///   *inside* a field and never fields. Fields: `allow|deny`, callers (`*`, caller ids, group
    ///   names), actions (`*` or names), facts, and optionally classes.
    /// - With a classes field, facts is `*`, space-separated fact terms (`role=web cores>4`, all
    ///   required) or a compound expression; classes is `*`, class names or `/regexes/` (all
    ///   required) or a compound expression. Without it, facts is `*` or one compound (`-S`)
    ///   expression, which may call data plugins.
    ///
    /// Anything else is an error naming the line: unlike MCollective, which skipped lines it could
    /// not read, a policy with a malformed line is not used at all (the store denies instead).
    public init(parsing text: String, file: String? = nil) throws(ActionPolicyError) {
        var rules: [Rule] = []
        var defaultVerdict: Verdict?
        var defaultLine: Int?
        for (index, raw) in PolicyText.lines(text).enumerated() {
            let number = index + 1
            let line = PolicyText.trimmed(raw)
            if line.isEmpty || line.hasPrefix("#") { continue }
            func failure(_ message: String) -> ActionPolicyError {
                ActionPolicyError(file: file, line: number, message: message)
            }
            let words = PolicyText.words(line)
            switch words[0] {
            case "policy":
                guard words.count == 3, words[1] == "default", let verdict = Verdict(rawValue: words[2]) else {
                    throw failure("expected 'policy default allow' or 'policy default deny', found '\(PolicyText.excerpt(line))'")
                }
                defaultVerdict = verdict
                defaultLine = number
            case "allow", "deny":
                do {
                    rules.append(try Self.rule(line, number: number))
                } catch {
                    throw failure(error.message)
                }
            default:
                throw failure(
                    "expected 'policy default allow|deny', an allow or deny rule, or a # comment; found '\(PolicyText.excerpt(line))'")
            }
        }
        self.init(rules: rules, defaultVerdict: defaultVerdict, defaultLine: defaultLine, file: file)
    }

    /// A rule line's problem, before the file and line are attached.
    struct LineProblem: Error {
        var message: String
        init(_ message: String) { self.message = message }
    }

    static func rule(_ line: Substring, number: Int) throws(LineProblem) -> Rule {
        let fields = line.split(separator: "\t").map(PolicyText.trimmed).filter { !$0.isEmpty }.map(String.init)
        guard let verdict = Verdict(rawValue: fields[0]) else {
            throw LineProblem(
                "'\(PolicyText.excerpt(Substring(fields[0])))' is not separated by TABs: a rule is allow|deny<TAB>callers<TAB>actions<TAB>facts[<TAB>classes], spaces only separate items inside a field")
        }
        guard fields.count == 4 || fields.count == 5 else {
            throw LineProblem(
                "a rule has 4 or 5 TAB-separated fields (allow|deny, callers, actions, facts[, classes]); this one has \(fields.count)")
        }
        let callers: Callers = fields[1] == "*" ? .everyone : .listed(PolicyText.words(Substring(fields[1])))
        let actions: Actions = fields[2] == "*" ? .all : .listed(PolicyText.words(Substring(fields[2])))
        var condition = Filter()
        if fields.count == 5 {
            try addFacts(fields[3], to: &condition)
            try addClasses(fields[4], to: &condition)
        } else if fields[3] != "*" {
            condition.compound.append(try compound(fields[3], field: "facts", fourFieldRule: true))
        }
        return Rule(verdict: verdict, callers: callers, actions: actions, condition: condition, line: number)
    }

    /// The facts field of a 5-field rule: `*`, fact terms, or a compound expression.
    static func addFacts(_ field: String, to condition: inout Filter) throws(LineProblem) {
        if field == "*" { return }
        if isCompound(field) {
            condition.compound.append(try compound(field, field: "facts", fourFieldRule: false))
            return
        }
        for term in PolicyText.words(Substring(field)) {
            do {
                condition.facts.append(try FactFilter.parse(term))
            } catch {
                throw LineProblem(
                    "'\(term)' in the facts field is not a fact comparison such as role=web or cores>4; class names go in the fifth field")
            }
        }
    }

    /// The classes field of a 5-field rule: `*`, class names and `/regexes/`, or a compound expression.
    static func addClasses(_ field: String, to condition: inout Filter) throws(LineProblem) {
        if field == "*" { return }
        if isCompound(field) {
            condition.compound.append(try compound(field, field: "classes", fourFieldRule: false))
            return
        }
        for name in PolicyText.words(Substring(field)) {
            if !name.hasPrefix("/"), name.contains(where: { $0 == "=" || $0 == "<" || $0 == ">" }) {
                throw LineProblem("'\(name)' in the classes field looks like a fact comparison; facts go in the fourth field")
            }
            condition.classes.append(name)
        }
    }

    /// actionpolicy.rb `is_compound?`: a word that is `and`, `or`, `not`, starts with `!`, or
    /// holds parentheses (a group or a data plugin call such as `puppet().enabled=false`).
    static func isCompound(_ field: String) -> Bool {
        PolicyText.words(Substring(field)).contains { word in
            word == "and" || word == "or" || word == "not" || word.hasPrefix("!") || word.contains("(") || word.contains(")")
        }
    }

    static func compound(_ text: String, field: String, fourFieldRule: Bool) throws(LineProblem) -> [CompoundToken] {
        do {
            return try CompoundParser.parse(text)
        } catch {
            var message: String
            switch error {
            case .compoundSyntax(let reason, _, let column):
                message = "the \(field) field '\(text)' is not a valid expression (column \(column): \(reason))"
            case .compoundTooLong(let length, let limit):
                message = "the \(field) field is \(length) characters long; the limit is \(limit)"
            default:
                message = "the \(field) field '\(text)' is not a valid expression: \(error)"
            }
            if fourFieldRule, !isCompound(text), PolicyText.words(Substring(text)).count > 1 {
                message += "; join terms with 'and', or add a fifth (classes) field such as *"
            }
            throw LineProblem(message)
        }
    }
}
