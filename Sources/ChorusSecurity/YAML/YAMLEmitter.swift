/// libyaml 0.2.5's emitter (`emitter.c`) for the events Psych sends it: one explicit
/// document, block collections (flow style only for empty ones), and scalars in the style
/// libyaml settles on. The state (column, indentation stack, whitespace and indention flags)
/// and every decision follow the C code, so the bytes equal Ruby 3.1's `YAML.dump`.
struct YAMLEmitter {
    var output: [UInt8] = []
    var column = 0
    /// The last character written was whitespace (or nothing has been written on the line).
    var whitespace = true
    /// Only indentation has been written on the current line.
    var indention = true
    /// 2 after a `|+` block scalar: the stream must end with `...`.
    var openEnded = 0
    var indent = -1
    var indents: [Int] = []
    var flowLevel = 0
    let bestIndent = 2
    /// Psych leaves libyaml's default line width, 80.
    let bestWidth = 80
    var rootContext = false
    var sequenceContext = false
    var mappingContext = false
    var simpleKeyContext = false

    /// The bytes of a stream holding one document with `root`.
    static func document(_ root: YAMLNode) -> [UInt8] {
        var emitter = YAMLEmitter()
        emitter.emitDocument(root)
        return emitter.output
    }

    private mutating func emitDocument(_ root: YAMLNode) {
        writeIndent()
        writeIndicator("---", needWhitespace: true, isWhitespace: false, isIndention: false)
        openEnded = 0
        emitNode(root, root: true, sequence: false, mapping: false, simpleKey: false)
        // DOCUMENT-END, implicit.
        writeIndent()
        if openEnded == 0 { openEnded = 1 }
        // STREAM-END.
        if openEnded == 2 {
            writeIndicator("...", needWhitespace: true, isWhitespace: false, isIndention: false)
            openEnded = 0
            writeIndent()
        }
    }

    private mutating func emitNode(_ node: YAMLNode, root: Bool, sequence: Bool, mapping: Bool, simpleKey: Bool) {
        rootContext = root
        sequenceContext = sequence
        mappingContext = mapping
        simpleKeyContext = simpleKey
        switch node {
        case .scalar(let scalar):
            emitScalar(scalar)
        case .sequence(let items):
            if flowLevel > 0 || items.isEmpty {
                emitEmptyFlowCollection(open: "[", close: "]")
            } else {
                emitBlockSequence(items)
            }
        case .mapping(let pairs):
            if flowLevel > 0 || pairs.isEmpty {
                emitEmptyFlowCollection(open: "{", close: "}")
            } else {
                emitBlockMapping(pairs)
            }
        }
    }

    /// `[]` / `{}`: the only flow collections Psych's block-style trees produce.
    private mutating func emitEmptyFlowCollection(open: String, close: String) {
        writeIndicator(open, needWhitespace: true, isWhitespace: true, isIndention: false)
        increaseIndent(flow: true, indentless: false)
        indent = indents.removeLast()
        writeIndicator(close, needWhitespace: false, isWhitespace: false, isIndention: false)
    }

    private mutating func emitBlockSequence(_ items: [YAMLNode]) {
        increaseIndent(flow: false, indentless: mappingContext && !indention)
        for item in items {
            writeIndent()
            writeIndicator("-", needWhitespace: true, isWhitespace: false, isIndention: true)
            emitNode(item, root: false, sequence: true, mapping: false, simpleKey: false)
        }
        indent = indents.removeLast()
    }

    private mutating func emitBlockMapping(_ pairs: [(key: YAMLNode, value: YAMLNode)]) {
        increaseIndent(flow: false, indentless: false)
        for pair in pairs {
            writeIndent()
            if Self.isSimpleKey(pair.key) {
                emitNode(pair.key, root: false, sequence: false, mapping: true, simpleKey: true)
                writeIndicator(":", needWhitespace: false, isWhitespace: false, isIndention: false)
            } else {
                writeIndicator("?", needWhitespace: true, isWhitespace: false, isIndention: true)
                emitNode(pair.key, root: false, sequence: false, mapping: true, simpleKey: false)
                writeIndent()
                writeIndicator(":", needWhitespace: true, isWhitespace: false, isIndention: true)
            }
            emitNode(pair.value, root: false, sequence: false, mapping: true, simpleKey: false)
        }
        indent = indents.removeLast()
    }

    /// `yaml_emitter_check_simple_key`: single-line scalars of at most 128 bytes (tag
    /// included) and empty collections go before `:`; anything else after `? `.
    private static func isSimpleKey(_ node: YAMLNode) -> Bool {
        switch node {
        case .scalar(let scalar):
            if YAMLScalarAnalysis(scalar.value).multiline { return false }
            let tagLength = scalar.writtenTag.map { ($0.handle?.utf8.count ?? 0) + $0.suffix.count } ?? 0
            return tagLength + scalar.value.count <= 128
        case .sequence, .mapping:
            return node.isEmptyCollection
        }
    }

    mutating func increaseIndent(flow: Bool, indentless: Bool) {
        indents.append(indent)
        if indent < 0 {
            indent = flow ? bestIndent : 0
        } else if !indentless {
            indent += bestIndent
        }
    }

    // MARK: - Low-level writers

    mutating func put(_ byte: UInt8) {
        output.append(byte)
        column += 1
    }

    mutating func putBreak() {
        output.append(0x0A)
        column = 0
    }

    /// Copies the character at `index`; returns the index after it.
    mutating func write(_ bytes: [UInt8], _ index: Int) -> Int {
        let width = YAMLCharacters.width(bytes[index])
        let end = min(index + width, bytes.count)
        output.append(contentsOf: bytes[index..<end])
        column += 1
        return end
    }

    /// Copies the line break at `index` (LF is written as the emitter's own break).
    mutating func writeBreak(_ bytes: [UInt8], _ index: Int) -> Int {
        if bytes[index] == 0x0A {
            putBreak()
            return index + 1
        }
        let end = min(index + YAMLCharacters.width(bytes[index]), bytes.count)
        output.append(contentsOf: bytes[index..<end])
        column = 0
        return end
    }

    mutating func writeIndent() {
        let target = max(indent, 0)
        if !indention || column > target || (column == target && !whitespace) {
            putBreak()
        }
        while column < target { put(0x20) }
        whitespace = true
        indention = true
    }

    mutating func writeIndicator(_ indicator: String, needWhitespace: Bool, isWhitespace: Bool, isIndention: Bool) {
        if needWhitespace && !whitespace { put(0x20) }
        for byte in indicator.utf8 { put(byte) }
        whitespace = isWhitespace
        indention = indention && isIndention
    }
}
