/// The representation tree Psych's `YAMLTree` visitor builds from a Ruby object: the events
/// libyaml's emitter receives, kept as a tree so the emitter can look ahead as libyaml does.
indirect enum YAMLNode {
    case scalar(YAMLScalar)
    /// A block sequence (emitted in flow style only when empty: `[]`).
    case sequence([YAMLNode])
    /// A block mapping (emitted in flow style only when empty: `{}`).
    case mapping([(key: YAMLNode, value: YAMLNode)])

    var isEmptyCollection: Bool {
        switch self {
        case .sequence(let items): return items.isEmpty
        case .mapping(let pairs): return pairs.isEmpty
        case .scalar: return false
        }
    }
}

/// One SCALAR event: the text, its tag, the implicit flags and the style asked for.
struct YAMLScalar {
    enum Style {
        case any, plain, singleQuoted, doubleQuoted, literal
    }

    var value: [UInt8]
    var tag: String?
    /// The tag may be omitted when the scalar is written plain.
    var plainImplicit: Bool
    /// The tag may be omitted when the scalar is written in a quoted or block style.
    var quotedImplicit: Bool
    var style: Style

    init(_ value: [UInt8], tag: String? = nil, plainImplicit: Bool, quotedImplicit: Bool, style: Style) {
        self.value = value
        self.tag = tag
        self.plainImplicit = plainImplicit
        self.quotedImplicit = quotedImplicit
        self.style = style
    }

    /// The tag split as libyaml's `yaml_emitter_analyze_tag` does against the default
    /// directives (`!` and `!!` = `tag:yaml.org,2002:`); nil unless the tag must be written.
    var writtenTag: (handle: String?, suffix: [UInt8])? {
        guard let tag, !plainImplicit && !quotedImplicit else { return nil }
        let bytes = Array(tag.utf8)
        for (handle, prefix) in [("!", "!"), ("!!", "tag:yaml.org,2002:")] {
            let prefixBytes = Array(prefix.utf8)
            if prefixBytes.count < bytes.count && bytes.starts(with: prefixBytes) {
                return (handle, Array(bytes[prefixBytes.count...]))
            }
        }
        return (nil, bytes)
    }
}
