import RubyMarshal

/// Turns a parsed DDL JSON document into an `AgentDDL`, checking every key and value and
/// naming the exact place of the first problem.
struct DDLDocumentDecoder {
    let file: String?

    func decode(_ root: RubyValue) throws(DDLLoadError) -> AgentDDL {
        var document = try object(root, at: "")
        let kindName = try document.string("type", required: false) ?? AgentDDL.Kind.agent.rawValue
        guard let kind = AgentDDL.Kind(rawValue: kindName) else {
            throw failure(at: document.path("type"), "unknown plugin type '\(kindName)' (expected agent or data)")
        }
        let metadataValue = try document.value("metadata", required: true)!
        let metadata = try decodeMetadata(metadataValue, at: document.path("metadata"))
        var actions: [ActionDDL] = []
        switch kind {
        case .agent:
            let list = try document.array("actions", required: true)!
            for (position, value) in list.enumerated() {
                let path = document.path("actions") + "[\(position)]"
                let action = try decodeAction(value, at: path)
                if actions.contains(where: { $0.name == action.name }) {
                    throw failure(at: path, "action '\(action.name)' is declared twice")
                }
                actions.append(action)
            }
        case .data:
            let query = try document.value("query", required: true)!
            actions.append(try decodeDataQuery(query, at: document.path("query")))
        }
        try document.finish()
        return AgentDDL(kind: kind, metadata: metadata, actions: actions)
    }

    private func decodeMetadata(_ value: RubyValue, at path: String) throws(DDLLoadError) -> PluginMetadata {
        var object = try object(value, at: path)
        let name = try object.string("name", required: true)!
        guard !name.isEmpty else { throw failure(at: object.path("name"), "must not be empty") }
        let metadata = PluginMetadata(
            name: name,
            description: try object.string("description", required: true)!,
            author: try object.string("author", required: true)!,
            license: try object.string("license", required: true)!,
            version: try object.string("version", required: true)!,
            url: try object.string("url", required: true)!,
            timeout: try object.int("timeout", required: true)!)
        guard metadata.timeout > 0 else { throw failure(at: object.path("timeout"), "must be a positive number of seconds") }
        try object.finish()
        return metadata
    }

    private func decodeAction(_ value: RubyValue, at basePath: String) throws(DDLLoadError) -> ActionDDL {
        var object = try object(value, at: basePath)
        let name = try object.string("name", required: true)!
        guard !name.isEmpty else { throw failure(at: object.path("name"), "must not be empty") }
        object.label = name
        var action = ActionDDL(name: name, description: try object.string("description", required: true)!)
        if let display = try object.string("display", required: false) {
            guard let policy = DisplayPolicy(rawValue: display) else {
                throw failure(at: object.path("display"), "unknown display '\(display)' (expected always, ok or failed)")
            }
            action.display = policy
        }
        for (position, item) in (try object.array("inputs", required: false) ?? []).enumerated() {
            let input = try decodeInput(item, named: nil, at: object.path("inputs") + "[\(position)]")
            if action.input(named: input.name) != nil {
                throw failure(at: object.path("inputs") + "[\(position)]", "input '\(input.name)' is declared twice")
            }
            action.inputs.append(input)
        }
        action.outputs = try decodeOutputs(&object)
        for (position, item) in (try object.array("aggregates", required: false) ?? []).enumerated() {
            let aggregate = try decodeAggregate(item, at: object.path("aggregates") + "[\(position)]")
            guard action.output(named: aggregate.output) != nil else {
                throw failure(
                    at: object.path("aggregates") + "[\(position)]",
                    "aggregate of undeclared output '\(aggregate.output)'")
            }
            action.aggregates.append(aggregate)
        }
        try object.finish()
        return action
    }

    private func decodeDataQuery(_ value: RubyValue, at path: String) throws(DDLLoadError) -> ActionDDL {
        var object = try object(value, at: path)
        var action = ActionDDL(
            name: AgentDDL.dataQueryName, description: try object.string("description", required: true)!,
            display: .always)
        if let input = try object.value("input", required: false) {
            action.inputs = [try decodeInput(input, named: AgentDDL.dataQueryName, at: object.path("input"))]
        }
        action.outputs = try decodeOutputs(&object)
        try object.finish()
        return action
    }

    private func decodeOutputs(_ object: inout JSONObjectReader) throws(DDLLoadError) -> [OutputDDL] {
        var outputs: [OutputDDL] = []
        for (position, item) in (try object.array("outputs", required: false) ?? []).enumerated() {
            let path = object.path("outputs") + "[\(position)]"
            var output = try self.object(item, at: path)
            let name = try output.string("name", required: true)!
            guard !name.isEmpty else { throw failure(at: output.path("name"), "must not be empty") }
            output.label = name
            guard !outputs.contains(where: { $0.name == name }) else {
                throw failure(at: path, "output '\(name)' is declared twice")
            }
            outputs.append(
                OutputDDL(
                    name: name,
                    description: try output.string("description", required: true)!,
                    displayAs: try output.string("display_as", required: true)!,
                    default: try output.value("default", required: false)))
            try output.finish()
        }
        return outputs
    }

    /// Reads an input; a data plugin's input has no `name` key and is given `fixedName`.
    private func decodeInput(_ value: RubyValue, named fixedName: String?, at basePath: String) throws(DDLLoadError) -> InputDDL {
        var object = try object(value, at: basePath)
        let name: String
        if let fixedName {
            name = fixedName
        } else {
            name = try object.string("name", required: true)!
            guard !name.isEmpty else { throw failure(at: object.path("name"), "must not be empty") }
            object.label = name
        }
        let typeName = try object.string("type", required: true)!
        let type: InputType
        switch typeName {
        case "string": type = .string
        case "integer": type = .integer
        case "float": type = .float
        case "number": type = .number
        case "boolean": type = .boolean
        case "hash": type = .hash
        case "array": type = .array
        case "any": type = .any
        case "list":
            let values = try object.array("list", required: true)!
            guard !values.isEmpty else { throw failure(at: object.path("list"), "a list input needs at least one value") }
            for (position, entry) in values.enumerated() {
                switch entry {
                case .string, .int, .bool: continue
                default:
                    throw failure(at: object.path("list") + "[\(position)]", "list values must be strings, integers or booleans")
                }
            }
            type = .list(values)
        default:
            throw failure(
                at: object.path("type"),
                "unknown type '\(typeName)' (expected one of \(InputType.names.joined(separator: ", ")))")
        }
        var input = InputDDL(
            name: name,
            prompt: try object.string("prompt", required: true)!,
            description: try object.string("description", required: true)!,
            type: type)
        if let source = try object.string("validation", required: false) {
            guard type == .string else { throw failure(at: object.path("validation"), "only string inputs take a validation") }
            do {
                input.validation = try InputValidation(parsing: source)
            } catch {
                throw failure(at: object.path("validation"), error.message)
            }
        }
        if let maxLength = try object.int("max_length", required: false) {
            guard maxLength >= 0 else { throw failure(at: object.path("max_length"), "must not be negative") }
            guard type == .string || maxLength == 0 else {
                throw failure(at: object.path("max_length"), "only string inputs take a max_length")
            }
            input.maxLength = maxLength
        }
        input.optional = try object.bool("optional", required: false) ?? false
        if let value = try object.value("default", required: false), value != .nil {
            if let problem = input.failure(for: value) {
                throw failure(at: object.path("default"), "the default fails the input's own check: \(problem)")
            }
            input.default = value
        }
        if type.allowedValues == nil, object.has("list") {
            throw failure(at: object.path("list"), "only list inputs take a list")
        }
        try object.finish()
        return input
    }

    private func decodeAggregate(_ value: RubyValue, at path: String) throws(DDLLoadError) -> AggregateSpec {
        var object = try object(value, at: path)
        let functionName = try object.string("function", required: true)!
        guard let function = AggregateSpec.Function(rawValue: functionName) else {
            let known = AggregateSpec.Function.allCases.map(\.rawValue).joined(separator: ", ")
            throw failure(at: object.path("function"), "unknown aggregate function '\(functionName)' (expected one of \(known))")
        }
        let spec = AggregateSpec(
            function: function, output: try object.string("output", required: true)!,
            format: try object.string("format", required: false))
        try object.finish()
        return spec
    }

    private func object(_ value: RubyValue, at path: String) throws(DDLLoadError) -> JSONObjectReader {
        guard case .hash(let hash) = value else { throw failure(at: path, "expected an object") }
        return JSONObjectReader(hash: hash, basePath: path, decoder: self)
    }

    func failure(at path: String, _ message: String) -> DDLLoadError {
        DDLLoadError(file: file, location: path, message: message)
    }
}

/// Reads the members of one JSON object, remembering which keys were used so that
/// `finish()` can reject unknown (misspelt) keys.
struct JSONObjectReader {
    let hash: RubyHash
    let basePath: String
    let decoder: DDLDocumentDecoder
    /// The object's `name`, shown in paths to make them readable: `actions[3] (get_fact)`.
    var label: String?
    private var used: Set<String> = []

    init(hash: RubyHash, basePath: String, decoder: DDLDocumentDecoder) {
        self.hash = hash
        self.basePath = basePath
        self.decoder = decoder
    }

    /// The path of a member, for error messages.
    func path(_ key: String) -> String {
        var prefix = basePath
        if let label { prefix += " (\(label))" }
        return prefix.isEmpty ? key : "\(prefix).\(key)"
    }

    func has(_ key: String) -> Bool { hash[.str(key)] != nil }

    mutating func value(_ key: String, required: Bool) throws(DDLLoadError) -> RubyValue? {
        used.insert(key)
        guard let value = hash[.str(key)] else {
            if required { throw decoder.failure(at: path(key), "missing required key") }
            return nil
        }
        return value
    }

    mutating func string(_ key: String, required: Bool) throws(DDLLoadError) -> String? {
        guard let value = try value(key, required: required) else { return nil }
        guard case .string(let string) = value else { throw decoder.failure(at: path(key), "expected a string") }
        return string.text
    }

    mutating func int(_ key: String, required: Bool) throws(DDLLoadError) -> Int? {
        guard let value = try value(key, required: required) else { return nil }
        guard case .int(let number) = value else { throw decoder.failure(at: path(key), "expected an integer") }
        return number
    }

    mutating func bool(_ key: String, required: Bool) throws(DDLLoadError) -> Bool? {
        guard let value = try value(key, required: required) else { return nil }
        guard case .bool(let flag) = value else { throw decoder.failure(at: path(key), "expected true or false") }
        return flag
    }

    mutating func array(_ key: String, required: Bool) throws(DDLLoadError) -> [RubyValue]? {
        guard let value = try value(key, required: required) else { return nil }
        guard case .array(let elements) = value else { throw decoder.failure(at: path(key), "expected an array") }
        return elements
    }

    /// Fails on the first key no reader asked for.
    func finish() throws(DDLLoadError) {
        for pair in hash.pairs {
            guard case .string(let key) = pair.key else { continue }
            if !used.contains(key.text) {
                throw decoder.failure(at: path(key.text), "unknown key")
            }
        }
    }
}
