/// Why a text is not JSON `RubyValue(json:)` accepts.
public struct JSONParseError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What was wrong, in the style of Ruby's `JSON::ParserError` messages.
    public var message: String
    /// Byte offset into the UTF-8 text.
    public var offset: Int

    public init(message: String, offset: Int) {
        self.message = message
        self.offset = offset
    }

    public var description: String { "\(message) at offset \(offset)" }
}
