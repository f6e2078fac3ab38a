import Crypto

/// Message digests other modules need without depending on swift-crypto themselves.
public enum Digests {
    /// MD5 of `bytes` as 32 lowercase hex characters (`Digest::MD5.hexdigest`).
    @Sendable
    public static func md5Hex(_ bytes: [UInt8]) -> String {
        hex(Insecure.MD5.hash(data: bytes))
    }

    static func hex(_ digest: some Sequence<UInt8>) -> String {
        let table = Array("0123456789abcdef".utf8)
        var out = [UInt8]()
        out.reserveCapacity(64)
        for byte in digest {
            out.append(table[Int(byte >> 4)])
            out.append(table[Int(byte & 0x0f)])
        }
        return String(decoding: out, as: UTF8.self)
    }
}
