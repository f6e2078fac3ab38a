import RubyMarshal

/// `Marshal.dump` bytes written the way Ruby's own output reads: `marshalled([0x69, 0x06])`.
func marshalled(_ body: [UInt8]) -> [UInt8] { [4, 8] + body }

/// ASCII text as bytes.
func ascii(_ text: String) -> [UInt8] { Array(text.utf8) }

/// The error `body` throws, if it throws a `MarshalError`.
func marshalError(_ body: () throws -> Void) -> MarshalError? {
    do {
        try body()
        return nil
    } catch let error as MarshalError {
        return error
    } catch {
        return nil
    }
}
