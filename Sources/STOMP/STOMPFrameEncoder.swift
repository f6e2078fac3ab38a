import NIOCore

/// Writes STOMP frames as bytes.
///
/// Layout: command, `\n`, each header as `name:value\n` in order (repeats kept), `\n`, body, NUL.
/// Nothing is written after the NUL (brokers append their own `\n`).
///
/// `content-length` policy: the encoder guarantees the header matches the body it writes, because
/// a wrong value would desynchronise the peer. If the frame has a `content-length` header, the
/// first one is written in place with the body's actual length; otherwise one is appended after
/// the other headers when the body is non-empty. A frame with an empty body and no
/// `content-length` gets none (as brokers send CONNECTED).
///
/// Header escaping: with `escapeHeaders` (STOMP 1.1/1.2), `\` LF CR `:` in names and values are
/// written as `\\` `\n` `\r` `\c`; CONNECT, STOMP and CONNECTED frames are never escaped. Without
/// it (STOMP 1.0, which has no escapes) a CR or LF in a name or value would end the header line
/// and inject another, so each is written as a space instead.
public enum STOMPFrameEncoder {
    /// Appends `frame` to `buffer`.
    public static func encode(_ frame: STOMPFrame, into buffer: inout ByteBuffer, escapeHeaders: Bool) {
        let escape =
            escapeHeaders && frame.command != .connect && frame.command != .stomp && frame.command != .connected
        let bodyLength = frame.body.readableBytes
        buffer.reserveCapacity(minimumWritableBytes: estimatedSize(of: frame))
        buffer.writeString(frame.command.rawValue)
        buffer.writeInteger(STOMPByte.lf)
        var wroteLength = false
        for header in frame.headers {
            if !wroteLength, header.name == "content-length" {
                wroteLength = true
                buffer.writeString("content-length:")
                writeDecimal(bodyLength, into: &buffer)
                buffer.writeInteger(STOMPByte.lf)
                continue
            }
            writeHeader(name: header.name, value: header.value, into: &buffer, escape: escape)
        }
        if !wroteLength, bodyLength > 0 {
            buffer.writeString("content-length:")
            writeDecimal(bodyLength, into: &buffer)
            buffer.writeInteger(STOMPByte.lf)
        }
        buffer.writeInteger(STOMPByte.lf)
        buffer.writeImmutableBuffer(frame.body)
        buffer.writeInteger(UInt8(0))
    }

    /// An upper-bound guess of the encoded size, for pre-sizing buffers.
    public static func estimatedSize(of frame: STOMPFrame) -> Int {
        var size = frame.command.rawValue.utf8.count + 2 + frame.body.readableBytes + 24
        for header in frame.headers {
            size += header.name.utf8.count + header.value.utf8.count + 2
        }
        return size
    }

    private static func writeDigits(_ value: Int, into buffer: inout ByteBuffer) {
        var digits: (UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8,
                     UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8) =
            (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        var remaining = max(value, 0)
        var count = 0
        withUnsafeMutableBytes(of: &digits) { raw in
            repeat {
                raw[19 - count] = UInt8(ascii: "0") + UInt8(remaining % 10)
                remaining /= 10
                count += 1
            } while remaining > 0
            buffer.writeBytes(UnsafeRawBufferPointer(rebasing: raw[(20 - count)...]))
        }
    }

    /// Appends one `name:value\n` header line, escaped as ``encode(_:into:escapeHeaders:)`` would.
    /// For callers that assemble frames piecewise (the broker pre-encodes MESSAGE header blocks).
    public static func writeHeader(name: String, value: String, into buffer: inout ByteBuffer, escape: Bool) {
        if writeVerbatim(name: name, value: value, into: &buffer, escape: escape) { return }
        writeText(name, into: &buffer, escape: escape)
        buffer.writeInteger(STOMPByte.colon)
        writeText(value, into: &buffer, escape: escape)
        buffer.writeInteger(STOMPByte.lf)
    }

    /// The usual case, a header with nothing to escape, as one copy into the buffer (not four
    /// writes, each with its own capacity and exclusivity checks). False, writing nothing, when
    /// a byte needs escaping or a string is not stored contiguously.
    private static func writeVerbatim(name: String, value: String, into buffer: inout ByteBuffer, escape: Bool) -> Bool {
        let written = name.utf8.withContiguousStorageIfAvailable { nameBytes in
            value.utf8.withContiguousStorageIfAvailable { valueBytes -> Bool in
                guard !needsEscaping(nameBytes, escape: escape), !needsEscaping(valueBytes, escape: escape) else { return false }
                let length = nameBytes.count + valueBytes.count + 2
                buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: length) { out in
                    let base = out.baseAddress!
                    if let name = nameBytes.baseAddress { base.copyMemory(from: name, byteCount: nameBytes.count) }
                    base.storeBytes(of: STOMPByte.colon, toByteOffset: nameBytes.count, as: UInt8.self)
                    if let value = valueBytes.baseAddress {
                        (base + nameBytes.count + 1).copyMemory(from: value, byteCount: valueBytes.count)
                    }
                    base.storeBytes(of: STOMPByte.lf, toByteOffset: length - 1, as: UInt8.self)
                    return length
                }
                return true
            }
        }
        return (written ?? nil) ?? false
    }

    /// Appends a non-negative integer in decimal without allocating.
    public static func writeDecimal(_ value: Int, into buffer: inout ByteBuffer) {
        writeDigits(value, into: &buffer)
    }

    private static func writeText(_ text: String, into buffer: inout ByteBuffer, escape: Bool) {
        let utf8 = text.utf8
        let needsWork =
            utf8.withContiguousStorageIfAvailable { needsEscaping($0, escape: escape) }
            ?? needsEscaping(Array(utf8), escape: escape)
        guard needsWork else {
            buffer.writeString(text)
            return
        }
        for byte in utf8 {
            switch byte {
            case STOMPByte.lf:
                if escape { buffer.writeStaticString("\\n") } else { buffer.writeInteger(UInt8(ascii: " ")) }
            case STOMPByte.cr:
                if escape { buffer.writeStaticString("\\r") } else { buffer.writeInteger(UInt8(ascii: " ")) }
            case STOMPByte.colon where escape:
                buffer.writeStaticString("\\c")
            case STOMPByte.backslash where escape:
                buffer.writeStaticString("\\\\")
            default:
                buffer.writeInteger(byte)
            }
        }
    }

    /// Whether any byte must be escaped (or, in STOMP 1.0, replaced): LF, CR, and with
    /// `escape` also `:` and `\`. One pass over contiguous bytes, no per-byte closure.
    private static func needsEscaping(_ bytes: UnsafeBufferPointer<UInt8>, escape: Bool) -> Bool {
        if escape {
            for byte in bytes where byte <= STOMPByte.backslash {
                if byte == STOMPByte.lf || byte == STOMPByte.cr || byte == STOMPByte.colon || byte == STOMPByte.backslash {
                    return true
                }
            }
        } else {
            for byte in bytes where byte <= STOMPByte.cr {
                if byte == STOMPByte.lf || byte == STOMPByte.cr { return true }
            }
        }
        return false
    }

    private static func needsEscaping(_ bytes: [UInt8], escape: Bool) -> Bool {
        bytes.withUnsafeBufferPointer { needsEscaping($0, escape: escape) }
    }
}
