/// An AMQP topic binding pattern: `.`-separated words where `*` matches exactly one word and `#`
/// matches zero or more words; any other word matches itself only.
///
/// Words follow RabbitMQ's splitting: the empty string has no words, otherwise every `.`
/// separates two (possibly empty) words, so `a.` is the words `a` and the empty word, and `*`
/// matches that empty word. `*` and `#` are wildcards only as whole words (`a*` is literal).
///
/// Matching is iterative (backtracking to the most recent `#`), never recursive, costs at most
/// (pattern words × key bytes) steps and allocates nothing.
public struct TopicPattern: Sendable, Hashable, CustomStringConvertible {
    enum Word: Sendable, Hashable {
        case literal([UInt8])
        /// `*`
        case one
        /// `#`
        case many
    }

    /// The pattern as written.
    public let text: String
    let words: [Word]

    /// Whether the pattern has no `*` or `#` word, so only the identical key matches it.
    public let isLiteral: Bool

    /// Parses `text` into words.
    public init(_ text: String) {
        self.text = text
        var words: [Word] = []
        if !text.isEmpty {
            for word in text.utf8.split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false) {
                if word.count == 1, word.first == UInt8(ascii: "*") {
                    words.append(.one)
                } else if word.count == 1, word.first == UInt8(ascii: "#") {
                    // `#.#` matches what `#` matches; collapsing keeps backtracking short.
                    if words.last != .many { words.append(.many) }
                } else {
                    words.append(.literal(Array(word)))
                }
            }
        }
        self.words = words
        self.isLiteral = !words.contains { $0 == .one || $0 == .many }
    }

    /// Whether `routingKey` matches this pattern.
    public func matches(_ routingKey: String) -> Bool {
        if let result = routingKey.utf8.withContiguousStorageIfAvailable({ matches(key: $0) }) {
            return result
        }
        return Array(routingKey.utf8).withUnsafeBufferPointer { matches(key: $0) }
    }

    /// The matcher over the key's bytes. A key position is the byte offset where a word starts;
    /// `count + 1` means every word has been consumed (an empty key starts there: it has none).
    private func matches(key: UnsafeBufferPointer<UInt8>) -> Bool {
        let count = key.count
        let exhausted = count + 1
        /// Offset of the `.` ending the word starting at `start`, or `count`.
        func wordEnd(_ start: Int) -> Int {
            var index = start
            while index < count, key[index] != UInt8(ascii: ".") { index += 1 }
            return index
        }
        func wordMatches(_ word: Word, at start: Int) -> Bool {
            switch word {
            case .one, .many:
                return true
            case .literal(let bytes):
                let end = wordEnd(start)
                guard end - start == bytes.count else { return false }
                var offset = 0
                while offset < bytes.count {
                    if key[start + offset] != bytes[offset] { return false }
                    offset += 1
                }
                return true
            }
        }

        var patternIndex = 0
        var keyIndex = count == 0 ? exhausted : 0
        // The most recent `#` and the key position it was last tried at.
        var starPattern = -1
        var starKey = 0
        while true {
            if patternIndex < words.count, words[patternIndex] == .many {
                starPattern = patternIndex
                starKey = keyIndex
                patternIndex += 1
                continue
            }
            if keyIndex < exhausted {
                if patternIndex < words.count, wordMatches(words[patternIndex], at: keyIndex) {
                    patternIndex += 1
                    keyIndex = wordEnd(keyIndex) + 1
                    continue
                }
            } else if patternIndex == words.count {
                return true
            }
            // Mismatch: let the last `#` swallow one more word, if there is one to swallow.
            guard starPattern >= 0, starKey < exhausted else { return false }
            starKey = wordEnd(starKey) + 1
            keyIndex = starKey
            patternIndex = starPattern + 1
        }
    }

    public var description: String { text }
}
