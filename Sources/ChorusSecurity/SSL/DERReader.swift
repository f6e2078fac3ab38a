/// Just enough DER to find the SubjectPublicKeyInfo inside an X.509 certificate, bounds
/// checked at every step.
struct DERReader {
    struct Element {
        var tag: UInt8
        /// The whole element: tag, length and contents.
        var encoded: ArraySlice<UInt8>
        var contents: ArraySlice<UInt8>
    }

    private var bytes: ArraySlice<UInt8>

    init(_ bytes: ArraySlice<UInt8>) { self.bytes = bytes }

    var isAtEnd: Bool { bytes.isEmpty }

    mutating func next() -> Element? {
        guard let tag = bytes.first, bytes.count >= 2 else { return nil }
        var index = bytes.startIndex + 1
        let first = bytes[index]
        index += 1
        var length = 0
        if first & 0x80 == 0 {
            length = Int(first)
        } else {
            let count = Int(first & 0x7F)
            guard count >= 1, count <= 4, bytes.endIndex - index >= count else { return nil }
            for _ in 0..<count {
                length = length << 8 | Int(bytes[index])
                index += 1
            }
        }
        guard length <= bytes.endIndex - index else { return nil }
        let element = Element(tag: tag, encoded: bytes[bytes.startIndex..<(index + length)], contents: bytes[index..<(index + length)])
        bytes = bytes[(index + length)...]
        return element
    }

    /// `Certificate.tbsCertificate.subjectPublicKeyInfo`, encoded.
    static func subjectPublicKeyInfo(ofCertificate der: [UInt8]) -> [UInt8]? {
        var outer = DERReader(der[...])
        guard let certificate = outer.next(), certificate.tag == 0x30 else { return nil }
        var fields = DERReader(certificate.contents)
        guard let tbs = fields.next(), tbs.tag == 0x30 else { return nil }
        var tbsFields = DERReader(tbs.contents)
        guard var element = tbsFields.next() else { return nil }
        if element.tag == 0xA0 {  // [0] version
            guard let next = tbsFields.next() else { return nil }
            element = next
        }
        // element = serialNumber; then signature, issuer, validity, subject, subjectPublicKeyInfo.
        for _ in 0..<4 { guard tbsFields.next() != nil else { return nil } }
        guard let spki = tbsFields.next(), spki.tag == 0x30 else { return nil }
        return Array(spki.encoded)
    }

    /// The modulus and public exponent (big-endian, without sign padding) of an RSA public key
    /// in either DER form: SubjectPublicKeyInfo with the rsaEncryption algorithm, or PKCS#1
    /// `RSAPublicKey`. Nil for anything else, trailing bytes included.
    static func rsaPublicKeyParameters(_ der: [UInt8]) -> (modulus: [UInt8], exponent: [UInt8])? {
        var outer = DERReader(der[...])
        guard let sequence = outer.next(), sequence.tag == 0x30, outer.isAtEnd else { return nil }
        var fields = DERReader(sequence.contents)
        guard let first = fields.next() else { return nil }
        if first.tag == 0x02 {  // PKCS#1: SEQUENCE { modulus INTEGER, publicExponent INTEGER }
            guard let second = fields.next(), second.tag == 0x02, fields.isAtEnd else { return nil }
            guard let modulus = positiveInteger(first.contents), let exponent = positiveInteger(second.contents) else { return nil }
            return (modulus, exponent)
        }
        // SPKI: SEQUENCE { AlgorithmIdentifier { rsaEncryption, NULL? }, BIT STRING { 0 unused bits, RSAPublicKey } }
        guard first.tag == 0x30, let bits = fields.next(), bits.tag == 0x03, fields.isAtEnd else { return nil }
        var algorithm = DERReader(first.contents)
        guard let oid = algorithm.next(), oid.tag == 0x06, Array(oid.contents) == rsaEncryptionOID else { return nil }
        if let parameters = algorithm.next() {
            guard parameters.tag == 0x05, parameters.contents.isEmpty, algorithm.isAtEnd else { return nil }
        }
        guard bits.contents.first == 0 else { return nil }
        return rsaPublicKeyParameters(Array(bits.contents.dropFirst()))
    }

    /// 1.2.840.113549.1.1.1
    private static let rsaEncryptionOID: [UInt8] = [0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x01, 0x01]

    /// A DER INTEGER's contents as an unsigned big-endian number; nil when negative or empty.
    private static func positiveInteger(_ contents: ArraySlice<UInt8>) -> [UInt8]? {
        guard let first = contents.first, first & 0x80 == 0 else { return nil }
        let magnitude = contents.drop { $0 == 0 }
        return magnitude.isEmpty ? nil : Array(magnitude)
    }
}
