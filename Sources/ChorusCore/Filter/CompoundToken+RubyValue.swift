import RubyMarshal

extension CompoundToken {
    /// The token's one-pair hash with a String key, e.g. `{"statement"=>"role=web"}`, `{"and"=>"and"}`.
    public var rubyValue: RubyValue {
        let pair: (String, RubyValue)
        switch self {
        case .statement(let text): pair = ("statement", .str(text))
        case .function(let function): pair = ("fstatement", function.rubyValue)
        case .and: pair = ("and", .str("and"))
        case .or: pair = ("or", .str("or"))
        case .not: pair = ("not", .str("not"))
        case .open: pair = ("(", .str("("))
        case .close: pair = (")", .str(")"))
        }
        return .hash(RubyHash(pairs: [.init(key: .str(pair.0), value: pair.1)]))
    }

    /// Reads one token hash (String or Symbol key).
    public init(rubyValue: RubyValue) throws(FilterError) {
        guard case .hash(let hash) = rubyValue, hash.count == 1, let key = hash.pairs[0].key.stringValue else {
            throw .malformed("a compound token is not a one-pair Hash")
        }
        let value = hash.pairs[0].value
        switch key {
        case "statement":
            guard let text = value.stringValue else { throw .malformed("a statement is not a String") }
            self = .statement(text)
        case "fstatement":
            self = .function(try FunctionStatement(rubyValue: value))
        case "and": self = .and
        case "or": self = .or
        case "not", "!": self = .not
        case "(": self = .open
        case ")": self = .close
        default: throw .malformed("unknown compound token \(key)")
        }
    }
}

extension FunctionStatement {
    /// `{"r_compare"=>…, "operator"=>…, "value"=>…, "name"=>…, "params"=>…}` in MCollective's key
    /// order; `value` is left out when nil, a regex comparand is a Ruby `Regexp`.
    public var rubyValue: RubyValue {
        var hash = RubyHash()
        switch comparand {
        case .text(let text): hash.pairs.append(.init(key: .str("r_compare"), value: .str(text)))
        case .regex(let source):
            hash.pairs.append(.init(key: .str("r_compare"), value: .regexp(pattern: source, options: 0)))
        }
        hash.pairs.append(.init(key: .str("operator"), value: .str(`operator`.rawValue)))
        if let value { hash.pairs.append(.init(key: .str("value"), value: .str(value))) }
        hash.pairs.append(.init(key: .str("name"), value: .str(name)))
        hash.pairs.append(.init(key: .str("params"), value: params.map(RubyValue.str) ?? .nil))
        return .hash(hash)
    }

    /// Reads an `fstatement` hash (String or Symbol keys).
    public init(rubyValue: RubyValue) throws(FilterError) {
        guard case .hash(let hash) = rubyValue else { throw .malformed("an fstatement is not a Hash") }
        guard let name = hash["name"]?.stringValue else { throw .malformed("an fstatement has no name") }
        guard let opText = hash["operator"]?.stringValue, let op = Operator(rawValue: opText) else {
            throw .malformed("fstatement \(name) has no known operator")
        }
        let comparand: Comparand
        switch hash["r_compare"] {
        case .regexp(let pattern, _)?: comparand = .regex(pattern)
        case .string(let s)?: comparand = .text(s.text)
        case .symbol(let s)?: comparand = .text(s)
        case .int(let i)?: comparand = .text(String(i))
        case .float(let d)?: comparand = .text(String(d))
        case .bool(let b)?: comparand = .text(b ? "true" : "false")
        default: throw .malformed("fstatement \(name) has no r_compare")
        }
        let params: String?
        switch hash["params"] {
        case nil, .nil?: params = nil
        case let value?:
            guard let text = value.stringValue else { throw .malformed("fstatement \(name) has non-String params") }
            params = text
        }
        let output: String?
        switch hash["value"] {
        case nil, .nil?: output = nil
        case let value?:
            guard let text = value.stringValue else { throw .malformed("fstatement \(name) has a non-String value") }
            output = text
        }
        self.init(name: name, params: params, value: output, operator: op, comparand: comparand)
    }
}
