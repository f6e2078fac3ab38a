import ChorusCore
import ChorusSecurity
import ChorusServer
import FuzzSupport
import Foundation

let node = SSLNode.make()

/// The node's entry point for yaml-serialised ssl requests, `SSLSecurityProvider.decodeRequest`
/// (YAML loader → envelope fields → client key lookup → RSA verification → body YAML → signed
/// TTL/time check), then the request's filter as the node reads it (bounds first). The first
/// byte's low bit picks what the rest is:
///
/// * 0: a whole envelope off the wire (unsigned fields such as `:filter`, `:ttl` and `:callerid` of
///   the captured seeds can be mutated and still verify);
/// * 1: a request body, which the harness wraps in a correctly signed envelope: decoding must then
///   never fail on the signature or the caller (that would mean the YAML writer and reader disagree).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzYAMLEnvelope(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let (selector, rest) = FuzzInput.selector(FuzzInput.bytes(data, size))
    let bytes: [UInt8]
    if selector & 1 == 0 {
        bytes = Array(rest)
    } else {
        do {
            bytes = try SignedEnvelope.bytes(body: Array(rest), signedBy: node.clientKey)
        } catch {
            fatalError("fuzz invariant violated: cannot write a signed envelope: \(error)")
        }
    }
    do {
        let request = try node.provider.decodeRequest(bytes)
        if (try? AdmissionLimits.default.filter.check(request.filter)) != nil {
            _ = try? Filter(rubyValue: request.filter)
        }
    } catch SecurityError.invalidSignature where selector & 1 == 1 {
        fatalError("fuzz invariant violated: a correctly signed body fails verification after a YAML round trip")
    } catch SecurityError.unknownCaller(let why) where selector & 1 == 1 {
        fatalError("fuzz invariant violated: the signing client is unknown: \(why)")
    } catch {
        return 0
    }
    return 0
}
