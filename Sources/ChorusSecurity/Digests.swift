import Crypto

/// Message digests other modules need without depending on swift-crypto themselves.
public enum Digests {
    /// MD5 of `bytes` as 32 lowercase hex characters (`Digest::MD5.hexdigest`).
    @Sendable
    public static func md5Hex(_ bytes: [UInt8]) -> String {
        hex(Insecure.MD5.hash(data: bytes))
    }

    static func hex(_ digest: some Sequence<UInt8>) -> String {
        String(decoding: hexBytes(digest), as: UTF8.self)
    }

    /// The lowercase hex digits of `digest` as ASCII bytes.
    static func hexBytes(_ digest: some Sequence<UInt8>) -> [UInt8] {
        var out = [UInt8]()
        out.reserveCapacity(64)
        for byte in digest {
            out.append(hexDigit(byte >> 4))
            out.append(hexDigit(byte & 0x0f))
        }
        return out
    }

    private static func hexDigit(_ nibble: UInt8) -> UInt8 {
        nibble < 10 ? UInt8(ascii: "0") + nibble : UInt8(ascii: "a") + nibble - 10
    }
}
