import NIOCore
import STOMP

/// What every benchmark message carries in its body, so a receiver can tell where it came
/// from, whether it is new, and how long it took: `RUN PUBLISHER SEQUENCE SENT-NS\n` in ASCII
/// decimal, then `.` padding up to the message size.
///
/// The stamp travels in the body, not in headers, because all three brokers forward bodies
/// byte for byte while they rename, reorder or re-type headers (ActiveMQ turns them into JMS
/// properties). `SENT-NS` is the publisher's monotonic clock (``MonotonicClock``); publisher
/// and receivers live in the same process, so the difference is the latency.
public struct BenchPayload: Sendable, Equatable {
    /// Identifies one benchmark run; bodies of other runs (left in a broker's queue) are foreign.
    public var run: UInt32
    /// Index of the publisher among the scenario's publishers.
    public var publisher: Int
    /// The publisher's message number, from 0.
    public var sequence: Int
    /// ``MonotonicClock/nanoseconds()`` when the message was written.
    public var sentNanoseconds: Int64

    public init(run: UInt32, publisher: Int, sequence: Int, sentNanoseconds: Int64) {
        self.run = run
        self.publisher = publisher
        self.sequence = sequence
        self.sentNanoseconds = sentNanoseconds
    }

    /// Appends the body, at least `size` bytes (longer only if the stamp itself is).
    public func write(into buffer: inout ByteBuffer, size: Int) {
        let start = buffer.writerIndex
        STOMPFrameEncoder.writeDecimal(Int(run), into: &buffer)
        buffer.writeInteger(UInt8(ascii: " "))
        STOMPFrameEncoder.writeDecimal(publisher, into: &buffer)
        buffer.writeInteger(UInt8(ascii: " "))
        STOMPFrameEncoder.writeDecimal(sequence, into: &buffer)
        buffer.writeInteger(UInt8(ascii: " "))
        STOMPFrameEncoder.writeDecimal(Int(sentNanoseconds), into: &buffer)
        buffer.writeInteger(UInt8(ascii: "\n"))
        let padding = size - (buffer.writerIndex - start)
        if padding > 0 { buffer.writeRepeatingByte(UInt8(ascii: "."), count: padding) }
    }

    /// Reads the stamp at the front of a body; nil when it is not one.
    public init?(body: ByteBuffer) {
        var numbers: (Int64, Int64, Int64, Int64) = (0, 0, 0, 0)
        var field = 0
        var digits = 0
        let parsed: Bool = body.withUnsafeReadableBytes { bytes in
            for byte in bytes {
                switch byte {
                case UInt8(ascii: "0")...UInt8(ascii: "9"):
                    guard digits < 18 else { return false }
                    let digit = Int64(byte &- UInt8(ascii: "0"))
                    switch field {
                    case 0: numbers.0 = numbers.0 * 10 + digit
                    case 1: numbers.1 = numbers.1 * 10 + digit
                    case 2: numbers.2 = numbers.2 * 10 + digit
                    default: numbers.3 = numbers.3 * 10 + digit
                    }
                    digits += 1
                case UInt8(ascii: " ") where field < 3 && digits > 0:
                    field += 1
                    digits = 0
                case UInt8(ascii: "\n") where field == 3 && digits > 0:
                    return true
                default:
                    return false
                }
            }
            return false
        }
        guard parsed, numbers.0 <= Int64(UInt32.max) else { return nil }
        self.init(run: UInt32(numbers.0), publisher: Int(numbers.1), sequence: Int(numbers.2), sentNanoseconds: numbers.3)
    }
}

/// The clock that stamps and times benchmark messages: `CLOCK_MONOTONIC` in nanoseconds.
public enum MonotonicClock {
    /// Nanoseconds since an arbitrary fixed point (boot); only differences mean anything.
    @inline(__always)
    public static func nanoseconds() -> Int64 {
        Int64(NIODeadline.now().uptimeNanoseconds)
    }
}
