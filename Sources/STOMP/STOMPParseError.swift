/// Why a byte stream is not valid STOMP. Every error is fatal for the connection: the parser
/// cannot find the next frame boundary reliably after one.
public struct STOMPParseError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The class of problem.
    public enum Kind: String, Sendable, Equatable {
        /// The first line is not a STOMP command.
        case unknownCommand
        /// A header line has no `:`, or an empty name.
        case malformedHeader
        /// A 1.1/1.2 header contains a backslash escape other than `\\ \n \r \c`.
        case invalidEscape
        /// Header bytes are not valid UTF-8.
        case invalidUTF8
        /// `content-length` is not a non-negative decimal integer.
        case invalidContentLength
        /// The byte after a `content-length` body is not NUL.
        case missingNullTerminator
        /// A line ended with a bare `\r`.
        case invalidLineEnding
        /// The frame or its body exceeds `STOMPLimits.maxFrameBytes`.
        case frameTooLarge
        /// More header lines than `STOMPLimits.maxHeaderCount`.
        case tooManyHeaders
        /// A command or header line longer than `STOMPLimits.maxHeaderLineBytes`.
        case headerLineTooLong
        /// The stream ended inside a frame.
        case truncatedFrame
    }

    /// The class of problem.
    public var kind: Kind
    /// A sentence saying what was wrong, fit for an ERROR frame's `message` header.
    public var message: String

    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    public var description: String { "STOMP parse error (\(kind.rawValue)): \(message)" }
}
