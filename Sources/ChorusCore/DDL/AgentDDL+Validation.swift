import RubyMarshal

extension AgentDDL {
    /// Validates a request's inputs as MCollective's client and server both do before an
    /// action runs, normalising `arguments` on the way:
    ///
    /// 1. the action must be declared ("Attempted to call action X for AGENT but it's not
    ///    declared in the DDL");
    /// 2. String keys naming a declared input become Symbol keys (MCollective symbolizes them;
    ///    when both forms are present the Symbol wins);
    /// 3. an omitted input that has a default gets it;
    /// 4. every required input must be present ("Action get_fact needs a fact argument");
    /// 5. every present declared input must pass its checks ("Cannot validate input fact: …").
    ///
    /// Undeclared extra keys (and `process_results`) are left alone: MCollective allows them.
    public func validateRequest(action actionName: String, arguments: inout RubyHash) throws(DDLValidationError) {
        guard let action = action(named: actionName) else {
            throw DDLValidationError(
                kind: .undeclaredAction,
                message: "Attempted to call action \(actionName) for \(name) but it's not declared in the DDL")
        }
        try action.validate(arguments: &arguments)
    }

    /// Validates a data plugin query argument (`rpcutil get_data`, `-S` filters) against
    /// the `query` input; a plugin without an input accepts anything.
    public func validateQuery(_ query: RubyValue) throws(DDLValidationError) {
        guard let input = dataQuery?.input(named: Self.dataQueryName) else { return }
        if let failure = input.failure(for: query) {
            throw DDLValidationError(
                kind: .invalidInput(input.name), message: "Cannot validate input \(input.name): \(failure)")
        }
    }
}

extension ActionDDL {
    /// Steps 2–5 of `AgentDDL.validateRequest` for this action.
    public func validate(arguments: inout RubyHash) throws(DDLValidationError) {
        for input in inputs {
            let symbol = RubyValue.symbol(input.name)
            arguments.symbolizeStringKey(input.name)
            if arguments[symbol] == nil, let value = input.default {
                arguments.set(value, for: symbol)
            }
            guard let value = arguments[symbol] else {
                if input.optional { continue }
                throw DDLValidationError(
                    kind: .missingInput(input.name), message: "Action \(name) needs a \(input.name) argument")
            }
            if let failure = input.failure(for: value) {
                throw DDLValidationError(
                    kind: .invalidInput(input.name), message: "Cannot validate input \(input.name): \(failure)")
            }
        }
    }
}

extension RubyHash {
    /// Turns a String key with this text (any encoding) into a Symbol key in place; drops it
    /// when the Symbol key is already present.
    fileprivate mutating func symbolizeStringKey(_ name: String) {
        guard
            let index = pairs.firstIndex(where: {
                if case .string(let s) = $0.key { return s.bytes.elementsEqual(name.utf8) }
                return false
            })
        else { return }
        if self[.symbol(name)] != nil {
            pairs.remove(at: index)
        } else {
            pairs[index].key = .symbol(name)
        }
    }
}
