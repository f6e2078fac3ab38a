/// Ruby's `PrettyPrint` layout algorithm (the engine behind `pp` and `pretty_inspect`),
/// reimplemented as a value type: text and optional line breaks inside nested groups;
/// when a line would run past `maxWidth`, the outermost group still pending is broken
/// first, so output matches Ruby's line for line.
struct RubyPrettyPrinter {
    private struct Group {
        var depth: Int
        var pendingBreakables = 0
        var broken = false
    }

    private enum Item {
        case text(String, width: Int)
        case breakable(separator: String, width: Int, indent: Int, group: Int)

        var width: Int {
            switch self {
            case .text(_, let width), .breakable(_, let width, _, _): return width
            }
        }
    }

    private let maxWidth: Int
    private(set) var output = ""
    private var outputWidth = 0
    private var bufferWidth = 0
    private var buffer: [Item] = []
    private var bufferStart = 0
    private var groups: [Group] = [Group(depth: 0)]
    private var groupStack: [Int] = [0]
    /// Groups that may still be broken, by depth.
    private var queue: [[Int]] = [[0]]
    private var indentation = 0

    init(maxWidth: Int) {
        self.maxWidth = maxWidth
    }

    // MARK: Building

    mutating func text(_ string: String) {
        let width = string.unicodeScalars.count
        if bufferStart == buffer.count {
            output += string
            outputWidth += width
        } else {
            buffer.append(.text(string, width: width))
            bufferWidth += width
            breakOutermostGroups()
        }
    }

    mutating func breakable(_ separator: String = " ") {
        let group = groupStack[groupStack.count - 1]
        if groups[group].broken {
            flush()
            output += "\n" + String(repeating: " ", count: indentation)
            outputWidth = indentation
            bufferWidth = 0
        } else {
            let width = separator.unicodeScalars.count
            buffer.append(.breakable(separator: separator, width: width, indent: indentation, group: group))
            groups[group].pendingBreakables += 1
            bufferWidth += width
            breakOutermostGroups()
        }
    }

    mutating func group(indent: Int = 0, open: String = "", close: String = "", _ body: (inout Self) -> Void) {
        text(open)
        let group = groups.count
        groups.append(Group(depth: groups[groupStack[groupStack.count - 1]].depth + 1))
        groupStack.append(group)
        enqueue(group)
        indentation += indent
        body(&self)
        indentation -= indent
        groupStack.removeLast()
        if groups[group].pendingBreakables == 0 { removeFromQueue(group) }
        text(close)
    }

    /// Writes out everything still buffered.
    mutating func flush() {
        while bufferStart < buffer.count {
            let item = buffer[bufferStart]
            bufferStart += 1
            emit(item)
        }
        buffer.removeAll(keepingCapacity: true)
        bufferStart = 0
        bufferWidth = 0
    }

    // MARK: Layout

    private mutating func breakOutermostGroups() {
        while maxWidth < outputWidth + bufferWidth {
            guard let group = dequeueOutermost() else { return }
            while groups[group].pendingBreakables > 0 && bufferStart < buffer.count {
                let item = buffer[bufferStart]
                bufferStart += 1
                emit(item)
                bufferWidth -= item.width
            }
            while bufferStart < buffer.count, case .text = buffer[bufferStart] {
                let item = buffer[bufferStart]
                bufferStart += 1
                emit(item)
                bufferWidth -= item.width
            }
            if bufferStart == buffer.count {
                buffer.removeAll(keepingCapacity: true)
                bufferStart = 0
            }
        }
    }

    private mutating func emit(_ item: Item) {
        switch item {
        case .text(let string, let width):
            output += string
            outputWidth += width
        case .breakable(let separator, let width, let indent, let group):
            groups[group].pendingBreakables -= 1
            if groups[group].broken {
                output += "\n" + String(repeating: " ", count: indent)
                outputWidth = indent
            } else {
                if groups[group].pendingBreakables == 0 { removeFromQueue(group) }
                output += separator
                outputWidth += width
            }
        }
    }

    private mutating func enqueue(_ group: Int) {
        let depth = groups[group].depth
        while queue.count <= depth { queue.append([]) }
        queue[depth].append(group)
    }

    private mutating func removeFromQueue(_ group: Int) {
        let depth = groups[group].depth
        guard depth < queue.count else { return }
        queue[depth].removeAll { $0 == group }
    }

    /// The shallowest group with buffered line breaks (the last such one at that depth),
    /// marked broken; shallower groups without any are marked broken on the way.
    private mutating func dequeueOutermost() -> Int? {
        for depth in queue.indices {
            let candidates = queue[depth]
            if let position = candidates.lastIndex(where: { groups[$0].pendingBreakables > 0 }) {
                let group = candidates[position]
                queue[depth].remove(at: position)
                groups[group].broken = true
                return group
            }
            for group in candidates { groups[group].broken = true }
            queue[depth].removeAll()
        }
        return nil
    }
}
