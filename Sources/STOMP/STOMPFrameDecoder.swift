import NIOCore

/// What the parser found at the front of the stream.
public enum STOMPParseEvent: Sendable, Equatable {
    /// A complete frame; its body is a slice of the input buffer (no copy).
    case frame(STOMPFrame)
    /// One end of line between frames: a STOMP 1.1 heart-beat, or the `\n` brokers write after
    /// each frame's NUL.
    case heartbeat
}

/// An incremental STOMP 1.0/1.1/1.2 frame parser: a pure state machine over a `ByteBuffer`.
///
/// Feed it one accumulating buffer: call ``next(_:)`` until it returns `nil`, append more bytes,
/// call again. It consumes bytes only when it returns an event (a whole frame, or one end of line
/// for a heart-beat) and remembers how far it has already scanned, so feeding a frame one byte at
/// a time costs linear time. Limits (``STOMPLimits``) are checked while scanning, before the
/// frame is complete: an over-long line, too many headers or a `content-length` above the limit
/// fail as soon as they are seen.
///
/// Grammar accepted: EOL is `\n` or `\r\n`; EOLs before a frame are heart-beats; the command line
/// must be a known ``STOMPCommand``; header lines are `name:value` split at the first `:` (the
/// value may contain more), repeated headers are all kept; an empty line ends the headers; with a
/// `content-length` header (the first one wins) the body is exactly that many bytes (NULs allowed)
/// followed by NUL, otherwise it runs to the first NUL. Header values are never trimmed.
/// After a thrown error the stream position is unknown: close the connection.
public struct STOMPFrameDecoder: Sendable {
    /// The bounds enforced while parsing.
    public var limits: STOMPLimits
    /// Whether header names and values are unescaped (`\\` `\n` `\r` `\c`) as STOMP 1.1/1.2
    /// require. `false` for STOMP 1.0; set it to `true` once 1.1 or 1.2 is negotiated.
    /// CONNECT, STOMP and CONNECTED frames are never unescaped.
    public var unescapesHeaders: Bool = false

    private enum Phase: Sendable {
        case idle
        case headers
        case body
    }

    private var phase: Phase = .idle
    // The frame being parsed. Offsets are relative to the buffer's reader index.
    private var command: STOMPCommand = .send
    private var headers = STOMPHeaders()
    private var contentLength: Int?
    private var scanned = 0
    private var lineStart = 0
    private var lineCount = 0
    private var bodyStart = 0

    /// Longest command name ("UNSUBSCRIBE", "DISCONNECT" are 11 and 10 bytes).
    private static let longestCommand = 11

    /// - Parameter limits: the bounds to enforce.
    public init(limits: STOMPLimits = .default) {
        self.limits = limits
    }

    /// Parses the next event from the front of `buffer`.
    ///
    /// - Returns: the event, with its bytes consumed from `buffer`; or `nil` when more bytes are
    ///   needed (nothing is consumed, but progress is remembered: pass the same buffer again with
    ///   more bytes appended).
    /// - Throws: ``STOMPParseError`` when the bytes are not valid STOMP or exceed the limits.
    public mutating func next(_ buffer: inout ByteBuffer) throws(STOMPParseError) -> STOMPParseEvent? {
        if phase == .idle {
            guard let first = buffer.getInteger(at: buffer.readerIndex, as: UInt8.self) else { return nil }
            if first == STOMPByte.lf {
                buffer.moveReaderIndex(forwardBy: 1)
                return .heartbeat
            }
            if first == STOMPByte.cr {
                guard let second = buffer.getInteger(at: buffer.readerIndex + 1, as: UInt8.self) else { return nil }
                guard second == STOMPByte.lf else {
                    throw STOMPParseError(.invalidLineEnding, "a carriage return between frames is not followed by a line feed")
                }
                buffer.moveReaderIndex(forwardBy: 2)
                return .heartbeat
            }
            phase = .headers
            scanned = 0
            lineStart = 0
            lineCount = 0
        }
        if phase == .headers {
            guard try scanHeaders(buffer) else { return nil }
        }
        return try scanBody(&buffer)
    }

    // MARK: - Headers

    /// Scans header lines; returns true once the blank line ending the headers is consumed.
    private mutating func scanHeaders(_ buffer: ByteBuffer) throws(STOMPParseError) -> Bool {
        let result = buffer.withUnsafeReadableBytes { bytes in
            Result { () throws(STOMPParseError) -> Bool in try self.scanHeaderLines(bytes) }
        }
        return try result.get()
    }

    private mutating func scanHeaderLines(_ bytes: UnsafeRawBufferPointer) throws(STOMPParseError) -> Bool {
        let readable = bytes.count
        while scanned < readable {
            guard let lf = bytes[scanned..<readable].firstIndex(of: STOMPByte.lf) else {
                scanned = readable
                break
            }
            scanned = lf + 1
            var lineEnd = lf
            if lineEnd > lineStart, bytes[lineEnd - 1] == STOMPByte.cr { lineEnd -= 1 }
            let line = UnsafeRawBufferPointer(rebasing: bytes[lineStart..<lineEnd])
            lineStart = lf + 1
            if line.count > limits.maxHeaderLineBytes {
                throw STOMPParseError(.headerLineTooLong, "a header line is longer than \(limits.maxHeaderLineBytes) bytes")
            }
            if lineCount == 0 {
                command = try Self.parseCommand(line)
                headers = STOMPHeaders()
                headers.reserveCapacity(Self.expectedHeaderCount)
                contentLength = nil
            } else if line.isEmpty {
                bodyStart = lineStart
                scanned = lineStart
                phase = .body
                return true
            } else {
                if lineCount > limits.maxHeaderCount {
                    throw STOMPParseError(.tooManyHeaders, "the frame has more than \(limits.maxHeaderCount) headers")
                }
                try parseHeader(line)
            }
            lineCount += 1
            if lineStart > limits.maxFrameBytes {
                throw STOMPParseError(.frameTooLarge, "the header block is larger than \(limits.maxFrameBytes) bytes")
            }
        }
        // The line in progress is incomplete: bound it now.
        let partial = readable - lineStart
        if lineCount == 0 {
            if partial > Self.longestCommand + 1 {
                throw STOMPParseError(.unknownCommand, "the stream does not start with a STOMP command")
            }
            for index in lineStart..<readable where !Self.isCommandByte(bytes[index]) {
                if bytes[index] == STOMPByte.cr, index == readable - 1 { continue }
                throw STOMPParseError(.unknownCommand, "the stream does not start with a STOMP command")
            }
        }
        if partial > limits.maxHeaderLineBytes + 1 {
            throw STOMPParseError(.headerLineTooLong, "a header line is longer than \(limits.maxHeaderLineBytes) bytes")
        }
        return false
    }

    private static func isCommandByte(_ byte: UInt8) -> Bool {
        byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z")
    }

    private static func parseCommand(_ line: UnsafeRawBufferPointer) throws(STOMPParseError) -> STOMPCommand {
        guard let command = STOMPCommand(bytes: line) else {
            throw STOMPParseError(.unknownCommand, "the frame does not start with a known STOMP command")
        }
        return command
    }

    /// Header storage reserved per frame: MESSAGE frames from brokers carry about ten.
    private static let expectedHeaderCount = 12

    private mutating func parseHeader(_ line: UnsafeRawBufferPointer) throws(STOMPParseError) {
        guard let colon = line.firstIndex(of: STOMPByte.colon) else {
            throw STOMPParseError(.malformedHeader, "a header line has no ':'")
        }
        guard colon > 0 else {
            throw STOMPParseError(.malformedHeader, "a header line has an empty name")
        }
        let rawName = UnsafeRawBufferPointer(rebasing: line[..<colon])
        let rawValue = UnsafeRawBufferPointer(rebasing: line[(colon + 1)...])
        let unescape = unescapesHeaders && command != .connect && command != .stomp && command != .connected
        let name = try Self.decodeText(rawName, unescape: unescape)
        let value = try Self.decodeText(rawValue, unescape: unescape)
        headers.add(name, value)
        if contentLength == nil, name == "content-length" {
            contentLength = try parseContentLength(rawValue)
        }
    }

    private func parseContentLength(_ raw: UnsafeRawBufferPointer) throws(STOMPParseError) -> Int {
        guard !raw.isEmpty, raw.count <= 18 else {
            throw STOMPParseError(.invalidContentLength, "content-length is not a decimal byte count")
        }
        var length = 0
        for byte in raw {
            guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else {
                throw STOMPParseError(.invalidContentLength, "content-length is not a decimal byte count")
            }
            length = length * 10 + Int(byte - UInt8(ascii: "0"))
        }
        guard length <= limits.maxFrameBytes else {
            throw STOMPParseError(
                .frameTooLarge, "content-length \(length) exceeds the limit of \(limits.maxFrameBytes) bytes")
        }
        return length
    }

    private static func decodeText(_ raw: UnsafeRawBufferPointer, unescape: Bool) throws(STOMPParseError) -> String {
        if unescape, raw.contains(STOMPByte.backslash) {
            var out: [UInt8] = []
            out.reserveCapacity(raw.count)
            var index = 0
            while index < raw.count {
                let byte = raw[index]
                index += 1
                guard byte == STOMPByte.backslash else {
                    out.append(byte)
                    continue
                }
                guard index < raw.count else {
                    throw STOMPParseError(.invalidEscape, "a header ends with a lone backslash")
                }
                let escaped = raw[index]
                index += 1
                switch escaped {
                case STOMPByte.backslash: out.append(STOMPByte.backslash)
                case UInt8(ascii: "n"): out.append(STOMPByte.lf)
                case UInt8(ascii: "r"): out.append(STOMPByte.cr)
                case UInt8(ascii: "c"): out.append(STOMPByte.colon)
                default:
                    throw STOMPParseError(.invalidEscape, "a header contains the undefined escape '\\\(Character(Unicode.Scalar(escaped)))'")
                }
            }
            guard let text = String(validating: out, as: UTF8.self) else {
                throw STOMPParseError(.invalidUTF8, "a header is not valid UTF-8")
            }
            return text
        }
        return try validated(raw)
    }

    private static func validated(_ raw: UnsafeRawBufferPointer) throws(STOMPParseError) -> String {
        let bytes = raw.assumingMemoryBound(to: UInt8.self)
        // Header text is almost always ASCII, which is valid UTF-8 as it stands; decoding it
        // this way skips the generic validating initializer (most of a frame's parsing cost).
        if isASCII(bytes) { return String(decoding: bytes, as: UTF8.self) }
        guard let text = String(validating: bytes, as: UTF8.self) else {
            throw STOMPParseError(.invalidUTF8, "a header is not valid UTF-8")
        }
        return text
    }

    private static func isASCII(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        var combined: UInt8 = 0
        for byte in bytes { combined |= byte }
        return combined < 0x80
    }

    // MARK: - Body

    private mutating func scanBody(_ buffer: inout ByteBuffer) throws(STOMPParseError) -> STOMPParseEvent? {
        let readable = buffer.readableBytes
        let bodyEnd: Int
        if let contentLength {
            bodyEnd = bodyStart + contentLength
            guard bodyEnd < readable else { return nil }
            guard buffer.getInteger(at: buffer.readerIndex + bodyEnd, as: UInt8.self) == 0 else {
                throw STOMPParseError(
                    .missingNullTerminator, "the \(contentLength)-byte body given by content-length is not followed by NUL")
            }
        } else {
            let from = max(scanned, bodyStart)
            let found: Int? = buffer.withUnsafeReadableBytes { bytes in
                bytes[from..<readable].firstIndex(of: 0)
            }
            guard let found else {
                scanned = readable
                if readable - bodyStart > limits.maxFrameBytes {
                    throw STOMPParseError(.frameTooLarge, "the body is larger than \(limits.maxFrameBytes) bytes")
                }
                return nil
            }
            bodyEnd = found
            if bodyEnd - bodyStart > limits.maxFrameBytes {
                throw STOMPParseError(.frameTooLarge, "the body is larger than \(limits.maxFrameBytes) bytes")
            }
        }
        let body = buffer.getSlice(at: buffer.readerIndex + bodyStart, length: bodyEnd - bodyStart) ?? ByteBuffer()
        buffer.moveReaderIndex(forwardBy: bodyEnd + 1)
        let frame = STOMPFrame(command: command, headers: headers, body: body)
        headers = STOMPHeaders()
        contentLength = nil
        phase = .idle
        scanned = 0
        return .frame(frame)
    }

    /// Whether a frame is partly parsed (the stream ending now would truncate it).
    public var isInsideFrame: Bool { phase != .idle }
}

/// Byte values the STOMP codec looks for.
enum STOMPByte {
    static let lf = UInt8(ascii: "\n")
    static let cr = UInt8(ascii: "\r")
    static let colon = UInt8(ascii: ":")
    static let backslash = UInt8(ascii: "\\")
}
