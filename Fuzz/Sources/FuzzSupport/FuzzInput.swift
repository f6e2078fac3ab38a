/// The input libFuzzer hands to `LLVMFuzzerTestOneInput`, as values.
public enum FuzzInput {
    /// The `size` bytes at `data` (libFuzzer may pass a null pointer when `size` is 0).
    public static func bytes(_ data: UnsafePointer<UInt8>?, _ size: Int) -> [UInt8] {
        guard let data, size > 0 else { return [] }
        return Array(UnsafeBufferPointer(start: data, count: size))
    }

    /// Splits off the first byte as a selector (for options and chunking) and returns the rest;
    /// an empty input selects 0.
    public static func selector(_ bytes: [UInt8]) -> (selector: UInt8, rest: ArraySlice<UInt8>) {
        guard let first = bytes.first else { return (0, []) }
        return (first, bytes.dropFirst())
    }
}

/// A property of the code under test that an input broke. Traps, so libFuzzer records the
/// input as a crash (`crash-<sha1>`) like any other fatal error.
public func fuzzInvariant(
    _ condition: Bool, _ message: @autoclosure () -> String, file: StaticString = #fileID, line: UInt = #line
) {
    if !condition { fatalError("fuzz invariant violated: \(message())", file: file, line: line) }
}
