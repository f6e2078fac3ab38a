import RubyMarshal

/// `input`, `output` and `aggregate` statements.
extension RubyDDLBuilder {
    /// `input :name, :prompt => …, :description => …, :type => …, …`.
    ///
    /// MCollective's rules: `:prompt`, `:description` and `:type` are required, agents also
    /// need `:optional`, `:string` inputs need `:validation` and `:maxlength`, `:list` inputs
    /// need `:list`, and a data query's only input is `:query`.
    func readInput(_ command: Command, _ evaluator: RubyDDLEvaluator, isData: Bool) throws(RubyDDLError) -> InputDDL {
        try command.expect(arguments: 1, block: false)
        let nameNode = command.arguments[0]
        let name = try Self.entityName(nameNode, evaluator, kind: "input")
        if isData && name != AgentDDL.dataQueryName {
            throw RubyDDLError(nameNode.position, "The only valid input name for a data query is 'query'")
        }
        let subject = "input :\(name)"
        var properties = try command.properties(subject: subject)
        let prompt = try Self.string(properties.require("prompt"), evaluator, "\(subject) :prompt")
        let description = try Self.string(properties.require("description"), evaluator, "\(subject) :description")
        let typeNode = try properties.require("type")
        guard case .symbol(let typeName) = try evaluator.value(typeNode) else {
            throw RubyDDLError(typeNode.position, "\(subject) :type must be a symbol such as :string")
        }
        if !isData && !properties.has("optional") {
            throw RubyDDLError(command.position, "\(subject) needs an :optional property (true or false)")
        }
        let type = try Self.inputType(typeName, at: typeNode.position, properties: &properties, evaluator, subject)
        var input = InputDDL(name: name, prompt: prompt, description: description, type: type)
        if type == .string {
            for key in ["validation", "maxlength"] where !properties.has(key) {
                throw RubyDDLError(command.position, "\(subject): Input type :string needs a :\(key) argument")
            }
        }
        if let node = properties.take("validation"), let validation = try Self.validation(node, evaluator, subject) {
            guard type == .string else {
                throw RubyDDLError(node.position, "\(subject): only :string inputs take a :validation (MCollective ignores it for :\(typeName))")
            }
            input.validation = validation
        }
        if let node = properties.take("maxlength") {
            switch try evaluator.value(node) {
            case .nil:
                break
            case .int(let length) where length >= 0:
                guard type == .string || length == 0 else {
                    throw RubyDDLError(node.position, "\(subject): only :string inputs take a :maxlength (MCollective ignores it for :\(typeName))")
                }
                input.maxLength = length
            default:
                throw RubyDDLError(node.position, "\(subject) :maxlength must be a whole number of characters (0 for no limit)")
            }
        }
        if let node = properties.take("optional") {
            switch try evaluator.value(node) {
            case .bool(let flag): input.optional = flag
            case .nil: break
            default: throw RubyDDLError(node.position, "\(subject) :optional must be true or false")
            }
        }
        if let node = properties.take("default") {
            let value = try evaluator.value(node)
            if value != .nil {
                if let problem = input.failure(for: value) {
                    throw RubyDDLError(node.position, "\(subject): the :default fails the input's own check: \(problem)")
                }
                input.default = value
            }
        }
        if type.allowedValues == nil, let node = properties.take("list") {
            throw RubyDDLError(node.position, "\(subject): only :list inputs take a :list")
        }
        try properties.finish()
        return input
    }

    private static func inputType(
        _ name: String, at position: RubyDDLPosition, properties: inout RubyDDLProperties, _ evaluator: RubyDDLEvaluator,
        _ subject: String
    ) throws(RubyDDLError) -> InputType {
        switch name {
        case "string": return .string
        case "integer": return .integer
        case "float": return .float
        case "number": return .number
        case "boolean": return .boolean
        case "hash": return .hash
        case "array": return .array
        case "any": return .any
        case "list":
            let node = try properties.require("list")
            guard case .array(let values) = try evaluator.value(node), !values.isEmpty else {
                throw RubyDDLError(node.position, "\(subject) :list must be a non-empty list of the allowed values")
            }
            for value in values {
                switch value {
                case .string, .int, .bool: continue
                default: throw RubyDDLError(node.position, "\(subject) :list values must be strings, integers or booleans, not \(value.inspect)")
                }
            }
            return .list(values)
        default:
            let known = InputType.names.map { ":\($0)" }.joined(separator: ", ")
            throw RubyDDLError(position, "\(subject): unknown type :\(name) (expected one of \(known))")
        }
    }

    /// A `:validation`: a regular expression as a string (`'^\w+$'`, a Ruby regex source)
    /// or literal (`/^\w+$/i`), or a validator symbol (`:shellsafe`); nil for `nil`.
    ///
    /// A literal's flags become inline options: `i` → `(?i)`, `x` → `(?x)`, and `m` (Ruby's
    /// "dot matches newline") → `(?s)`.
    static func validation(_ node: RubyDDLNode, _ evaluator: RubyDDLEvaluator, _ subject: String) throws(RubyDDLError) -> InputValidation? {
        switch try evaluator.value(node) {
        case .nil:
            return nil
        case .string(let source):
            return .pattern(try pattern(source.text, at: node.position, subject))
        case .regexp(let source, let options):
            var flags = ""
            if options & 1 != 0 { flags += "i" }
            if options & 4 != 0 { flags += "s" }
            if options & 2 != 0 { flags += "x" }
            return .pattern(try pattern(flags.isEmpty ? source : "(?\(flags))" + source, at: node.position, subject))
        case .symbol(let name):
            guard let named = NamedValidator(rawValue: name) else {
                let known = NamedValidator.allCases.map { ":\($0.rawValue)" }.joined(separator: ", ")
                throw RubyDDLError(node.position, "\(subject): unknown validator :\(name) (Chorus implements \(known))")
            }
            return .validator(named)
        case .array:
            throw RubyDDLError(
                node.position, "\(subject): a list :validation is MCollective's array validator; write :type => :list, :list => […] instead")
        default:
            throw RubyDDLError(
                node.position, "\(subject) :validation must be a regular expression ('^…$' or /…/) or a validator such as :shellsafe")
        }
    }

    private static func pattern(_ source: String, at position: RubyDDLPosition, _ subject: String) throws(RubyDDLError) -> RubyPattern {
        do {
            return try RubyPattern(source)
        } catch {
            throw RubyDDLError(position, "\(subject): \(error.description)")
        }
    }

    /// `output :name, :description => …, :display_as => …, :default => …`.
    func readOutput(_ command: Command, _ evaluator: RubyDDLEvaluator) throws(RubyDDLError) -> OutputDDL {
        try command.expect(arguments: 1, block: false)
        let name = try Self.entityName(command.arguments[0], evaluator, kind: "output")
        let subject = "output :\(name)"
        var properties = try command.properties(subject: subject)
        var output = OutputDDL(
            name: name,
            description: try Self.string(properties.require("description"), evaluator, "\(subject) :description"),
            displayAs: try Self.string(properties.require("display_as"), evaluator, "\(subject) :display_as"))
        if let node = properties.take("default") {
            let value = try evaluator.value(node)
            if case .regexp = value {
                throw RubyDDLError(node.position, "\(subject) :default must be a string, number, boolean, nil, list or hash")
            }
            if value != .nil { output.default = value }
        }
        try properties.finish()
        return output
    }

    /// `aggregate summary(:output)` or `aggregate average(:output, :format => "…")`.
    ///
    /// MCollective also accepts `aggregate summary(:x), :format => "…"` but never uses that
    /// format (aggregate.rb reads it from the function's arguments); Chorus accepts and
    /// ignores it the same way.
    func readAggregate(_ command: Command, _ evaluator: RubyDDLEvaluator) throws(RubyDDLError) -> AggregateSpec {
        let usage = "aggregate takes a function call: aggregate summary(:output) or aggregate average(:output, :format => \"%.2f\")"
        guard (1...2).contains(command.arguments.count), command.block == nil,
            case .call(let name, let arguments) = command.arguments[0].expression
        else {
            throw RubyDDLError(command.position, usage)
        }
        if command.arguments.count == 2 {
            guard case .hash(let pairs) = command.arguments[1].expression,
                pairs.contains(where: { $0.key.expression == .symbol("format") })
            else {
                throw RubyDDLError(command.arguments[1].position, "Formats supplied to aggregation functions must have a :format key")
            }
            _ = try evaluator.value(command.arguments[1])
        }
        guard let function = AggregateSpec.Function(rawValue: name) else {
            let known = AggregateSpec.Function.allCases.map(\.rawValue).joined(separator: ", ")
            throw RubyDDLError(command.arguments[0].position, "unknown aggregate function \(name) (Chorus implements \(known))")
        }
        guard (1...2).contains(arguments.count), case .symbol(let output) = try evaluator.value(arguments[0]) else {
            throw RubyDDLError(command.arguments[0].position, "\(name)(…) takes the output to aggregate and optional properties: \(name)(:value)")
        }
        var spec = AggregateSpec(function: function, output: output)
        if arguments.count == 2 {
            var properties = try RubyDDLProperties(arguments[1], subject: "\(name)(:\(output))", position: arguments[1].position)
            if let node = properties.take("format") {
                switch try evaluator.value(node) {
                case .string(let format): spec.format = format.text
                case .nil: break
                default: throw RubyDDLError(node.position, "\(name)(:\(output)) :format must be a format string such as \"%.2f\"")
                }
            }
            try properties.finish()
        }
        return spec
    }

    /// The name of an input or output: a symbol (`:fact`), possibly from an each-loop variable.
    static func entityName(_ node: RubyDDLNode, _ evaluator: RubyDDLEvaluator, kind: String) throws(RubyDDLError) -> String {
        switch try evaluator.value(node) {
        case .symbol(let name) where !name.isEmpty:
            return name
        case .string(let string):
            throw RubyDDLError(node.position, "\(kind) names are symbols: \(kind) :\(string.text), …")
        default:
            throw RubyDDLError(node.position, "\(kind) takes a symbol name first: \(kind) :name, …")
        }
    }
}

/// The aggregates of one action, checked against its outputs once the whole block is read.
struct PendingAggregates {
    var entries: [(spec: AggregateSpec, position: RubyDDLPosition)] = []

    func resolve(against action: ActionDDL) throws(RubyDDLError) -> [AggregateSpec] {
        for entry in entries where action.output(named: entry.spec.output) == nil {
            throw RubyDDLError(
                entry.position,
                "aggregate \(entry.spec.function.rawValue)(:\(entry.spec.output)) names an output the action \(action.name) does not declare")
        }
        return entries.map(\.spec)
    }
}
