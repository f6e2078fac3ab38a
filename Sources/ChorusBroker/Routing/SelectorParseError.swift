/// Why a selector text could not be parsed.
public struct SelectorParseError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What was wrong, e.g. "expected ')' at offset 12".
    public let message: String
    /// Byte offset in the selector text where the problem was found.
    public let offset: Int

    public init(_ message: String, offset: Int) {
        self.message = message
        self.offset = offset
    }

    public var description: String { "invalid selector: \(message) at offset \(offset)" }
}
