import RubyMarshal

/// One resource as Puppet's RAL reports it: type, title and the properties Puppet shows
/// (`Puppet::Resource#prune_parameters`: properties only, empty and `absent` values left out
/// except `ensure`; packages keep `provider`).
public struct RALResource: Sendable, Hashable {
    public var type: RALResourceType
    public var title: String
    /// Property name → value, in the order Puppet lists the type's properties.
    public var parameters: [RALParameter]

    public init(type: RALResourceType, title: String, parameters: [RALParameter]) {
        self.type = type
        self.title = title
        self.parameters = parameters
    }

    /// The value of one parameter, nil when it is not shown.
    public subscript(_ name: String) -> RubyValue? {
        parameters.first { $0.name == name }?.value
    }

    /// Puppet's tags for a resource read from the RAL: the type, and the title when it is a
    /// valid tag (lower-cased; a `a::b` title also yields `a` and `b`).
    public var tags: [String] { RALTags.tags(type: type.rawValue, title: title) }

    /// The parameters as a Ruby hash with Symbol keys (`:ensure => "present"`).
    public var parameterHash: RubyHash {
        RubyHash(pairs: parameters.map { RubyHash.Pair(key: .symbol($0.name), value: $0.value) })
    }

    /// The resource as the original agent's `search` lists it (`Puppet::Resource#to_data_hash`
    /// of Puppet 3: String keys `type`, `title`, `tags`, `exported`, `parameters`).
    public var dataHash: RubyHash {
        RubyHash(stringKeys: [
            "type": .str(type.puppetName),
            "title": .str(title),
            "tags": .array(tags.map { .str($0) }),
            "exported": .bool(false),
            "parameters": .hash(parameterHash),
        ])
    }
}

/// One shown property of a resource.
public struct RALParameter: Sendable, Hashable {
    public var name: String
    public var value: RubyValue

    public init(_ name: String, _ value: RubyValue) {
        self.name = name
        self.value = value
    }
}

/// Puppet's tag rules (`Puppet::Util::Tagging`), for the tags a RAL resource carries.
public enum RALTags {
    /// `[type, title]`, lower-cased, the title only when it is a valid tag, no duplicates.
    public static func tags(type: String, title: String) -> [String] {
        var tags = [type.lowercased()]
        func add(_ tag: String) { if !tags.contains(tag) { tags.append(tag) } }
        if isValid(title) {
            let lowered = title.lowercased()
            add(lowered)
            if lowered.contains("::") {
                for part in rubySplit(lowered, on: "::") { add(part) }
            }
        }
        return tags
    }

    /// Ruby's `String#split(separator)`: trailing empty parts are dropped.
    static func rubySplit(_ text: String, on separator: String) -> [String] {
        var parts: [String] = []
        var rest = Substring(text)
        while let range = rest.firstRange(of: separator) {
            parts.append(String(rest[..<range.lowerBound]))
            rest = rest[range.upperBound...]
        }
        parts.append(String(rest))
        while parts.last?.isEmpty == true { parts.removeLast() }
        return parts
    }

    /// `\A[[:alnum:]_][[:alnum:]_:.-]*\Z`: a letter, digit or underscore, then those or `:.-`.
    public static func isValid(_ tag: String) -> Bool {
        guard let first = tag.first else { return false }
        func word(_ c: Character) -> Bool { c == "_" || c.isLetter || c.isNumber }
        return word(first) && tag.dropFirst().allSatisfy { word($0) || $0 == ":" || $0 == "." || $0 == "-" }
    }
}
