import RubyMarshal

/// Turns the statements of a Ruby DDL into an `AgentDDL`, applying MCollective's rules
/// (ddl/base.rb, agentddl.rb, dataddl.rb) plus Chorus's stricter ones (unknown properties,
/// duplicate names and defaults that fail their own input are errors).
///
/// Top level: `metadata`, `requires` (checked, then ignored), `usage` (ignored), `action`
/// (an agent) or one `dataquery` (a data plugin), each-loops. In an action: `display`,
/// `input`, `output`, `summarize`; in a dataquery: `input :query`, `output`.
struct RubyDDLBuilder {
    /// The most statements each-loops may expand to (real DDLs have a few hundred).
    static let maxStatements = 50_000

    private var metadata: PluginMetadata?
    private var timeoutPosition: RubyDDLPosition?
    private var actions: [ActionDDL] = []
    private var dataQuery: ActionDDL?
    private var dataQueryPosition: RubyDDLPosition?
    private var executed = 0

    /// The DDL the statements describe.
    static func build(_ statements: [RubyDDLStatement]) throws(RubyDDLError) -> AgentDDL {
        var builder = RubyDDLBuilder()
        try builder.runTopLevel(statements, RubyDDLEvaluator())
        guard let metadata = builder.metadata else {
            throw RubyDDLError(nil, "the DDL has no metadata: start it with metadata :name => …, :description => …, :author => …, :license => …, :version => …, :url => …, :timeout => …")
        }
        guard builder.dataQuery != nil || !builder.actions.isEmpty else {
            throw RubyDDLError(
                nil,
                "the DDL declares no action and no dataquery: Chorus reads agent and data plugin DDLs only (aggregate, connector, discovery and validator plugins' DDLs describe no interface to call)")
        }
        // Checked last: discovery DDLs say 0 and are refused above for what they are.
        guard metadata.timeout > 0 else {
            throw RubyDDLError(builder.timeoutPosition, "metadata :timeout must be a positive whole number of seconds")
        }
        if let query = builder.dataQuery {
            return AgentDDL(kind: .data, metadata: metadata, actions: [query])
        }
        return AgentDDL(kind: .agent, metadata: metadata, actions: builder.actions)
    }

    // MARK: - Statements at each level

    private mutating func count(_ statement: RubyDDLStatement) throws(RubyDDLError) {
        executed += 1
        if executed > Self.maxStatements {
            throw RubyDDLError(statement.position, "the each-loops expand to more than \(Self.maxStatements) statements")
        }
    }

    /// The values an each-loop runs over: a literal list of strings, symbols or numbers.
    private func loopValues(_ list: RubyDDLNode, _ evaluator: RubyDDLEvaluator) throws(RubyDDLError) -> [RubyValue] {
        guard case .array(let values) = try evaluator.value(list) else {
            throw RubyDDLError(list.position, "each-loops run over a literal list")
        }
        for value in values {
            switch value {
            case .string, .symbol, .int: continue
            default: throw RubyDDLError(list.position, "each-loops run over strings, symbols or numbers, not \(value.inspect)")
            }
        }
        return values
    }

    private mutating func runTopLevel(_ statements: [RubyDDLStatement], _ evaluator: RubyDDLEvaluator) throws(RubyDDLError) {
        for statement in statements {
            try count(statement)
            switch statement.body {
            case .each(let list, let variable, let body):
                for value in try loopValues(list, evaluator) {
                    try runTopLevel(body, evaluator.binding(variable, to: value))
                }
            case .command(let name, let arguments, let block):
                let command = Command(name: name, arguments: arguments, block: block, position: statement.position)
                switch name {
                case "metadata":
                    guard metadata == nil else { throw RubyDDLError(statement.position, "metadata is given twice") }
                    try command.expect(arguments: 0, block: false)
                    metadata = try readMetadata(command, evaluator)
                    timeoutPosition = command.arguments.last.flatMap(Self.timeoutPosition)
                case "requires":
                    try command.expect(arguments: 0, block: false)
                    try checkRequirements(command, evaluator)
                case "usage":
                    try command.expect(arguments: 1, properties: false, block: false)
                    guard case .string = try evaluator.value(arguments[0]) else {
                        throw RubyDDLError(arguments[0].position, "usage takes a string (usually a <<-EOU heredoc)")
                    }
                case "action":
                    try readAction(command, evaluator)
                case "dataquery":
                    try readDataQuery(command, evaluator)
                case "discovery":
                    throw RubyDDLError(
                        statement.position,
                        "this is a discovery plugin's DDL (discovery do … end); Chorus reads agent and data plugin DDLs only")
                case "input", "output", "display", "summarize", "aggregate":
                    throw RubyDDLError(statement.position, "\(name) belongs inside an action (or dataquery) block")
                default:
                    throw Self.unknownStatement(name, at: statement.position, known: "metadata, requires, usage, action and dataquery")
                }
            }
        }
    }

    static func unknownStatement(_ name: String, at position: RubyDDLPosition, known: String) -> RubyDDLError {
        RubyDDLError(
            position,
            "'\(name)' is not a DDL statement here (\(known) are); other method calls are Ruby code, not part of the declarative DDL subset")
    }

    // MARK: - Metadata and requirements

    private func readMetadata(_ command: Command, _ evaluator: RubyDDLEvaluator) throws(RubyDDLError) -> PluginMetadata {
        var properties = try command.properties(subject: "metadata")
        func text(_ key: String) throws(RubyDDLError) -> String {
            try Self.string(properties.require(key), evaluator, "metadata :\(key)")
        }
        let name = try text("name")
        guard !name.isEmpty else { throw RubyDDLError(command.position, "metadata :name must not be empty") }
        let description = try text("description")
        let author = try text("author")
        let license = try text("license")
        let version = try text("version")
        let url = try text("url")
        let timeoutNode = try properties.require("timeout")
        guard case .int(let timeout) = try evaluator.value(timeoutNode), timeout >= 0 else {
            throw RubyDDLError(timeoutNode.position, "metadata :timeout must be a positive whole number of seconds")
        }
        try properties.finish()
        return PluginMetadata(
            name: name, description: description, author: author, license: license, version: version, url: url, timeout: timeout)
    }

    /// Where the `:timeout` value is written.
    private static func timeoutPosition(_ properties: RubyDDLNode) -> RubyDDLPosition? {
        guard case .hash(let pairs) = properties.expression else { return nil }
        return pairs.first { $0.key.expression == .symbol("timeout") }?.value.position
    }

    /// `requires :mcollective => "2.2.1"`: checked for shape, then ignored (Chorus has no
    /// MCollective version to compare with).
    private func checkRequirements(_ command: Command, _ evaluator: RubyDDLEvaluator) throws(RubyDDLError) {
        guard command.arguments.count == 1, case .hash(let pairs) = command.arguments[0].expression else {
            throw RubyDDLError(command.position, "Requirement should be a hash in the form :item => 'requirement'")
        }
        for pair in pairs {
            guard case .symbol("mcollective") = pair.key.expression else {
                throw RubyDDLError(pair.key.position, "Requirement \(try evaluator.value(pair.key).inspect) is not a valid requirement, only mcollective is supported")
            }
            guard case .string = try evaluator.value(pair.value) else {
                throw RubyDDLError(pair.value.position, "the required MCollective version must be a string such as \"2.2.1\"")
            }
        }
    }

    // MARK: - Actions and data queries

    private mutating func readAction(_ command: Command, _ evaluator: RubyDDLEvaluator) throws(RubyDDLError) {
        if let dataQueryPosition {
            throw RubyDDLError(
                command.position,
                "a DDL declares actions (an agent) or one dataquery (a data plugin), not both; the dataquery is at \(dataQueryPosition)")
        }
        try command.expect(arguments: 1, block: nil)
        guard case .string(let nameValue) = try evaluator.value(command.arguments[0]), !nameValue.text.isEmpty else {
            throw RubyDDLError(command.arguments[0].position, "an action's name is a non-empty string: action \"restart\", :description => \"…\"")
        }
        let name = nameValue.text
        guard !actions.contains(where: { $0.name == name }) else {
            throw RubyDDLError(command.position, "the action \(name) is declared twice")
        }
        var properties = try command.properties(subject: "action \(name)")
        let description = try Self.string(properties.require("description"), evaluator, "action \(name) :description")
        try properties.finish()
        var action = ActionDDL(name: name, description: description)
        var aggregates = PendingAggregates()
        try runEntity(command.block ?? [], evaluator, into: &action, aggregates: &aggregates, isData: false)
        action.aggregates = try aggregates.resolve(against: action)
        actions.append(action)
    }

    private mutating func readDataQuery(_ command: Command, _ evaluator: RubyDDLEvaluator) throws(RubyDDLError) {
        if let dataQueryPosition {
            throw RubyDDLError(command.position, "Data queries can only have one definition (the first is at \(dataQueryPosition))")
        }
        if !actions.isEmpty {
            throw RubyDDLError(command.position, "a DDL declares actions (an agent) or one dataquery (a data plugin), not both")
        }
        try command.expect(arguments: 0, block: nil)
        var properties = try command.properties(subject: "dataquery")
        let description = try Self.string(properties.require("description"), evaluator, "dataquery :description")
        try properties.finish()
        var query = ActionDDL(name: AgentDDL.dataQueryName, description: description, display: .always)
        var aggregates = PendingAggregates()
        try runEntity(command.block ?? [], evaluator, into: &query, aggregates: &aggregates, isData: true)
        dataQuery = query
        dataQueryPosition = command.position
    }

    /// The statements inside an action or dataquery block.
    private mutating func runEntity(
        _ statements: [RubyDDLStatement], _ evaluator: RubyDDLEvaluator, into action: inout ActionDDL,
        aggregates: inout PendingAggregates, isData: Bool
    ) throws(RubyDDLError) {
        for statement in statements {
            try count(statement)
            switch statement.body {
            case .each(let list, let variable, let body):
                for value in try loopValues(list, evaluator) {
                    try runEntity(body, evaluator.binding(variable, to: value), into: &action, aggregates: &aggregates, isData: isData)
                }
            case .command(let name, let arguments, let block):
                let command = Command(name: name, arguments: arguments, block: block, position: statement.position)
                switch name {
                case "input":
                    let input = try readInput(command, evaluator, isData: isData)
                    guard action.input(named: input.name) == nil else {
                        throw RubyDDLError(statement.position, "the input :\(input.name) is declared twice")
                    }
                    action.inputs.append(input)
                case "output":
                    let output = try readOutput(command, evaluator)
                    guard action.output(named: output.name) == nil else {
                        throw RubyDDLError(statement.position, "the output :\(output.name) is declared twice")
                    }
                    action.outputs.append(output)
                case "display" where !isData:
                    action.display = try readDisplay(command, evaluator)
                case "summarize" where !isData:
                    try command.expect(arguments: 0, properties: false, block: true)
                    try runSummarize(command.block ?? [], evaluator, into: &aggregates)
                default:
                    let known = isData ? "input and output" : "display, input, output and summarize"
                    throw Self.unknownStatement(name, at: statement.position, known: known)
                }
            }
        }
    }

    private func readDisplay(_ command: Command, _ evaluator: RubyDDLEvaluator) throws(RubyDDLError) -> DisplayPolicy {
        try command.expect(arguments: 1, properties: false, block: false)
        let value = try evaluator.value(command.arguments[0])
        if case .symbol(let name) = value, let policy = DisplayPolicy(rawValue: name) { return policy }
        if case .symbol("flatten") = value {
            throw RubyDDLError(command.arguments[0].position, "display :flatten is deprecated in MCollective and not supported; use :always")
        }
        throw RubyDDLError(
            command.arguments[0].position, "Display preference \(value.inspect) is not valid, should be :ok, :failed or :always")
    }

    private mutating func runSummarize(
        _ statements: [RubyDDLStatement], _ evaluator: RubyDDLEvaluator, into aggregates: inout PendingAggregates
    ) throws(RubyDDLError) {
        for statement in statements {
            try count(statement)
            switch statement.body {
            case .each(let list, let variable, let body):
                for value in try loopValues(list, evaluator) {
                    try runSummarize(body, evaluator.binding(variable, to: value), into: &aggregates)
                }
            case .command("aggregate", let arguments, let block):
                let command = Command(name: "aggregate", arguments: arguments, block: block, position: statement.position)
                aggregates.entries.append((try readAggregate(command, evaluator), statement.position))
            case .command(let name, _, _):
                throw Self.unknownStatement(name, at: statement.position, known: "only aggregate")
            }
        }
    }

    // MARK: - Helpers

    /// A string-valued argument or property.
    static func string(_ node: RubyDDLNode, _ evaluator: RubyDDLEvaluator, _ what: String) throws(RubyDDLError) -> String {
        guard case .string(let string) = try evaluator.value(node) else {
            throw RubyDDLError(node.position, "\(what) must be a string")
        }
        return string.text
    }
}

/// One command statement, with checks on the shape of its arguments.
struct RubyDDLCommand {
    var name: String
    var arguments: [RubyDDLNode]
    var block: [RubyDDLStatement]?
    var position: RubyDDLPosition

    /// Checks the number of plain arguments before the properties hash, whether a properties
    /// hash is allowed (and then required), and whether a block is required (true),
    /// forbidden (false) or optional (nil).
    func expect(arguments plain: Int, properties: Bool = true, block: Bool?) throws(RubyDDLError) {
        let lastIsHash: Bool
        if let last = arguments.last, case .hash = last.expression { lastIsHash = true } else { lastIsHash = false }
        let valid = properties ? (arguments.count == plain + 1 && lastIsHash) : arguments.count == plain
        guard valid else { throw RubyDDLError(position, "\(name) takes \(Self.shape(name))") }
        if block == true && self.block == nil {
            throw RubyDDLError(position, "\(name) needs a do … end block")
        }
        if block == false, self.block != nil {
            throw RubyDDLError(position, "\(name) takes no block")
        }
    }

    /// The properties hash (the last argument).
    func properties(subject: String) throws(RubyDDLError) -> RubyDDLProperties {
        try RubyDDLProperties(arguments.last, subject: subject, position: position)
    }

    private static func shape(_ name: String) -> String {
        switch name {
        case "metadata": return ":key => value properties: metadata :name => \"…\", :description => \"…\", …"
        case "requires": return "one requirement: requires :mcollective => \"2.2.1\""
        case "usage": return "one string"
        case "action": return "a name and properties: action \"restart\", :description => \"…\" do … end"
        case "dataquery": return "properties: dataquery :description => \"…\" do … end"
        case "display": return "one symbol: display :always"
        case "input": return "a name and properties: input :name, :prompt => \"…\", :description => \"…\", :type => :string, …"
        case "output": return "a name and properties: output :name, :description => \"…\", :display_as => \"…\""
        case "summarize": return "no arguments: summarize do … end"
        default: return "other arguments"
        }
    }
}

extension RubyDDLBuilder {
    typealias Command = RubyDDLCommand
}
