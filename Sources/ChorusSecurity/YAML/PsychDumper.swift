import RubyMarshal

/// Psych 4.0's `YAMLTree` visitor: the representation tree `YAML.dump` builds from a Ruby
/// object, with each scalar's tag, implicit flags and requested style chosen as Psych does.
enum PsychDumper {
    /// Nesting beyond this is refused (Marshal decoding stops at 64 already).
    static let maxDepth = 512

    static func node(_ value: RubyValue, depth: Int = 0) throws(RubyYAMLError) -> YAMLNode {
        guard depth < maxDepth else { throw .tooDeep }
        switch value {
        case .nil:
            return .scalar(YAMLScalar([], tag: "tag:yaml.org,2002:null", plainImplicit: true, quotedImplicit: false, style: .any))
        case .bool(let flag):
            return plain(flag ? "true" : "false")
        case .int, .bigInt:
            return plain(value.inspect)
        case .float(let number):
            if number.isNaN { return plain(".nan") }
            if number.isInfinite { return plain(number < 0 ? "-.inf" : ".inf") }
            return plain(value.inspect)
        case .string(let string):
            return .scalar(stringScalar(string))
        case .symbol(let name):
            if name.isEmpty {
                return .scalar(YAMLScalar([], tag: "!ruby/symbol", plainImplicit: false, quotedImplicit: false, style: .any))
            }
            return plain(":" + name)
        case .regexp:
            return .scalar(YAMLScalar(Array(value.inspect.utf8), tag: "!ruby/regexp", plainImplicit: false, quotedImplicit: false, style: .any))
        case .array(let items):
            var nodes: [YAMLNode] = []
            nodes.reserveCapacity(items.count)
            for item in items { nodes.append(try node(item, depth: depth + 1)) }
            return .sequence(nodes)
        case .hash(let hash):
            var pairs: [(key: YAMLNode, value: YAMLNode)] = []
            pairs.reserveCapacity(hash.count)
            for pair in hash.pairs {
                pairs.append((try node(pair.key, depth: depth + 1), try node(pair.value, depth: depth + 1)))
            }
            return .mapping(pairs)
        }
    }

    /// `@emitter.scalar text, nil, nil, true, false, ANY` (integers, floats, booleans, symbols).
    private static func plain(_ text: String) -> YAMLNode {
        .scalar(YAMLScalar(Array(text.utf8), plainImplicit: true, quotedImplicit: false, style: .any))
    }

    /// `visit_String`: binary strings as `!binary` base64, multi-line text as a literal block,
    /// and a quoting style for text that would not read back as the same String.
    static func stringScalar(_ string: RubyString) -> YAMLScalar {
        let bytes = string.bytes
        let binary = string.encoding == .binary && bytes.contains { $0 >= 0x80 }
        // Text that is not valid UTF-8 cannot be written as YAML text (Psych raises); Chorus
        // writes it as `!binary` instead.
        guard !binary, let text = String(validating: bytes, as: UTF8.self) else {
            let encoded = Array(RubyBase64.encodeStrict(bytes).utf8)
            return YAMLScalar(encoded, tag: "!binary", plainImplicit: false, quotedImplicit: false, style: .literal)
        }
        let style: YAMLScalar.Style
        if hasNewlineBeforeEnd(bytes) {
            style = .literal
        } else if text == "<<" {
            return YAMLScalar(bytes, tag: "tag:yaml.org,2002:str", plainImplicit: false, quotedImplicit: false, style: .singleQuoted)
        } else if text == "y" || text == "n" {
            style = .doubleQuoted
        } else if hasLineStartingWithNonWord(text) {
            style = .doubleQuoted
        } else if !readsBackAsString(text) || PsychScalarScanner.looksLikeBadOctal(text) {
            style = .singleQuoted
        } else {
            style = .plain
        }
        return YAMLScalar(bytes, plainImplicit: true, quotedImplicit: true, style: style)
    }

    /// `String === tokenize(text)` with Psych's unrestricted class loader, where a
    /// Time or Date Ruby rejects stays a String.
    private static func readsBackAsString(_ text: String) -> Bool {
        switch PsychScalarScanner.tokenize(text) {
        case .string, .timestamp(valid: false): return true
        default: return false
        }
    }

    /// `/\n(?!\Z)/`: a line feed other than a final one (or the one before a final one).
    static func hasNewlineBeforeEnd(_ bytes: [UInt8]) -> Bool {
        let count = bytes.count
        for index in bytes.indices where bytes[index] == 0x0A {
            let next = index + 1
            let atEnd = next == count || (next == count - 1 && bytes[count - 1] == 0x0A)
            if !atEnd { return true }
        }
        return false
    }

    /// `/^[^[:word:]][^"]*$/`: some line starts with a non-word character and has no `"`
    /// before the end of that line.
    static func hasLineStartingWithNonWord(_ text: String) -> Bool {
        let scalars = Array(text.unicodeScalars)
        var lineStart = 0
        while lineStart < scalars.count {
            if !PsychScalarScanner.isRubyWordCharacter(scalars[lineStart]) {
                var index = lineStart + 1
                while index < scalars.count && scalars[index] != "\n" && scalars[index] != "\"" { index += 1 }
                if index == scalars.count || scalars[index] == "\n" { return true }
            }
            guard let newline = scalars[lineStart...].firstIndex(of: "\n") else { break }
            lineStart = newline + 1
        }
        return false
    }
}
