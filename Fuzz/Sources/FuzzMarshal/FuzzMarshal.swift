import ChorusSecurity
import ChorusServer
import FuzzSupport
import RubyMarshal

/// The node's decoding bounds (`plugin.chorus.*` defaults, as `chorus server` uses them).
let limits = AdmissionLimits.default.decoding

/// A node's psk provider with those bounds: decodeRequest is the first thing a node does with
/// a MESSAGE body.
let node = try! PSKSecurityProvider(psk: "fuzz-psk", callerID: "uid=0", limits: limits)

/// Marshal 4.8 decoding of arbitrary bytes must be total (a value or a `MarshalError`, never a
/// trap), and what it decodes must re-encode stably: encoding the decoded document, decoding
/// that and encoding again gives the same bytes. The same bytes then go through the node's
/// psk envelope decoding.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzMarshal(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = FuzzInput.bytes(data, size)
    if let document = try? RubyMarshal.decodeDocument(bytes, limits: limits) {
        let once = RubyMarshal.encode(document)
        let again: MarshalDocument
        do {
            again = try RubyMarshal.decodeDocument(once, limits: limits)
        } catch {
            fatalError("fuzz invariant violated: re-encoded document does not decode: \(error)")
        }
        fuzzInvariant(RubyMarshal.encode(again) == once, "encode(decode(encode(x))) differs from encode(x)")
        _ = document.value.inspect
    }
    _ = try? node.decodeRequest(bytes)
    return 0
}
