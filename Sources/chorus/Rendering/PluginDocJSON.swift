import ChorusCore
import RubyMarshal

/// `chorus plugin doc --json`: a DDL as a Chorus JSON DDL document (docs/DDL.md), which
/// `AgentDDL.load(json:)` reads back into the same DDL, so a Ruby DDL can be converted with
/// `chorus plugin doc agent/NAME --json > NAME.json`; and the plugin listing as JSON.
enum PluginDocJSON {
    /// The JSON DDL document of `ddl`.
    static func document(_ ddl: AgentDDL) -> RubyValue {
        let meta = ddl.metadata
        var root = RubyHash(stringKeys: ["type": .str(ddl.kind.rawValue)])
        root.set(
            .hash(
                RubyHash(stringKeys: [
                    "name": .str(meta.name), "description": .str(meta.description), "author": .str(meta.author),
                    "license": .str(meta.license), "version": .str(meta.version), "url": .str(meta.url),
                    "timeout": .int(meta.timeout),
                ])), for: .str("metadata"))
        switch ddl.kind {
        case .agent:
            root.set(.array(ddl.actions.map(action)), for: .str("actions"))
        case .data:
            let query = ddl.dataQuery ?? ActionDDL(name: AgentDDL.dataQueryName, description: "")
            var object = RubyHash(stringKeys: ["description": .str(query.description)])
            if let input = query.inputs.first { object.set(.hash(self.input(input, named: false)), for: .str("input")) }
            if !query.outputs.isEmpty { object.set(.array(query.outputs.map(output)), for: .str("outputs")) }
            root.set(.hash(object), for: .str("query"))
        }
        return .hash(root)
    }

    /// `{"agents": [{"name", "description"}], "data": […], "errors": [{"plugin", "message"}]}`.
    static func listing(_ listing: PluginListing) -> RubyValue {
        let plugins = { (list: [PluginListing.Plugin]) -> RubyValue in
            .array(list.sorted { $0.name < $1.name }.map { .hash(RubyHash(stringKeys: ["name": .str($0.name), "description": .str($0.description)])) })
        }
        return .hash(
            RubyHash(stringKeys: [
                "agents": plugins(listing.agents), "data": plugins(listing.data),
                "errors": .array(listing.errors.map { .hash(RubyHash(stringKeys: ["plugin": .str($0.plugin), "message": .str($0.message)])) }),
            ]))
    }

    private static func action(_ action: ActionDDL) -> RubyValue {
        var object = RubyHash(stringKeys: [
            "name": .str(action.name), "description": .str(action.description), "display": .str(action.display.rawValue),
        ])
        if !action.inputs.isEmpty { object.set(.array(action.inputs.map { .hash(input($0, named: true)) }), for: .str("inputs")) }
        if !action.outputs.isEmpty { object.set(.array(action.outputs.map(output)), for: .str("outputs")) }
        if !action.aggregates.isEmpty {
            object.set(
                .array(
                    action.aggregates.map { spec in
                        var aggregate = RubyHash(stringKeys: ["function": .str(spec.function.rawValue), "output": .str(spec.output)])
                        if let format = spec.format { aggregate.set(.str(format), for: .str("format")) }
                        return .hash(aggregate)
                    }), for: .str("aggregates"))
        }
        return .hash(object)
    }

    private static func input(_ input: InputDDL, named: Bool) -> RubyHash {
        var object = named ? RubyHash(stringKeys: ["name": .str(input.name)]) : RubyHash()
        object.set(.str(input.prompt), for: .str("prompt"))
        object.set(.str(input.description), for: .str("description"))
        object.set(.str(input.type.name), for: .str("type"))
        if let values = input.type.allowedValues { object.set(.array(values), for: .str("list")) }
        if let validation = input.validation { object.set(.str(validationText(validation)), for: .str("validation")) }
        if input.maxLength > 0 { object.set(.int(input.maxLength), for: .str("max_length")) }
        object.set(.bool(input.optional), for: .str("optional"))
        if let value = input.default { object.set(value, for: .str("default")) }
        return object
    }

    /// A JSON DDL reads a bare lower-case word as a validator name, so a Ruby regular
    /// expression that is one (`'shellsafe'`, which matches the text "shellsafe") is wrapped
    /// in a group that matches the same strings.
    private static func validationText(_ validation: InputValidation) -> String {
        if case .pattern(let pattern) = validation, (try? InputValidation(parsing: pattern.source)) != validation {
            return "(?:\(pattern.source))"
        }
        return validation.source
    }

    private static func output(_ output: OutputDDL) -> RubyValue {
        var object = RubyHash(stringKeys: [
            "name": .str(output.name), "description": .str(output.description), "display_as": .str(output.displayAs),
        ])
        if let value = output.default { object.set(value, for: .str("default")) }
        return .hash(object)
    }
}
